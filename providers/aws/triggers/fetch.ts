import type { FetchRequest } from '../../../src/provider.ts'
import type { AwsContext } from '../context.ts'

/**
 * Calls a function URL. One with AuthType AWS_IAM needs the request signed
 * with SigV4 for the `lambda` service, with the provider's own credentials
 * (whatever the SDK's chain resolved them to); a public one goes as it is.
 *
 * Redirects are never followed: Node's fetch keeps the signature headers
 * (and the caller's own Authorization) on a cross-origin hop, so a 3xx goes
 * back to the caller as it is, as the local fake answers it.
 */
export async function fetchFunction(context: AwsContext, { record, request }: FetchRequest): Promise<Response> {
  if (record.trigger?.kind !== 'http' || record.trigger.auth !== 'iam') return fetch(request, { redirect: 'manual' })
  const [{ SignatureV4 }, { Hash }, { client }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/hash-node'),
    context.clients.lambda(),
  ])
  const signer = new SignatureV4({
    service: 'lambda',
    region: context.settings.region,
    credentials: client.config.credentials,
    sha256: Hash.bind(null, 'sha256'),
  })
  const url = new URL(request.url)
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer())
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  headers.host = url.host
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key)
    query[key] = values.length === 1 ? (values[0] as string) : values
  }
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers,
    body,
  })
  const { host: _host, ...sent } = signed.headers
  return fetch(url, { method: request.method, headers: sent, body, signal: request.signal, redirect: 'manual' })
}

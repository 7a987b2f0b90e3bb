import { randomUUID } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { codingsOf, failingBody, fetchCanDecode } from '../../../src/content-coding.ts'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { AWS_LIMITS } from '../capabilities.ts'
import { execute } from './invoke.ts'
import { type EmulatedFunction, settle } from './model.ts'
import type { EmulatorEnv } from './router.ts'

/** A SigV4 Authorization header for Lambda in this region: its form, since the emulator cannot know the secret. */
function signedForLambda(request: Request, region: string): boolean {
  const authorization = request.headers.get('authorization') ?? ''
  const form = new RegExp(
    `^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+/\\d{8}/${region}/lambda/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$`,
  )
  return form.test(authorization) && request.headers.has('x-amz-date')
}

/** AuthType NONE still needs the resource policy to let anyone call the URL. */
function publiclyInvocable(fn: EmulatedFunction): boolean {
  return [...fn.policy.values()].some(
    (statement) => statement.Principal === '*' && statement.Action === 'lambda:InvokeFunctionUrl',
  )
}

const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded))|\+(json|xml)/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The body as the event carries it: text as a string when the content type
 * is textual and the bytes are UTF-8, anything else base64 with
 * isBase64Encoded (the payload format's rule: text that would not survive
 * as a string is not decoded lossily).
 */
function eventBody(bytes: Uint8Array, contentType: string, contentEncoding: string): string | undefined {
  // A coded body (gzip, ...) is bytes whatever its type says.
  if (!TEXT.test(contentType) || codingsOf(contentEncoding).length > 0) return undefined
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** The request as Lambda hands it to the function: payload format 2.0. */
async function urlEvent(request: Request, urlId: string, accountId: string, requestId: string): Promise<string> {
  const url = new URL(request.url)
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  request.headers.forEach((value, name) => {
    // Lambda lists the cookies apart and keeps the header as it came (aws-lambda-rust-runtime#586 shows both).
    if (name === 'cookie') cookies = value.split(';').map((cookie) => cookie.trim())
    headers[name] = value
  })
  const bytes = new Uint8Array(await request.arrayBuffer())
  const text =
    bytes.byteLength === 0 ? undefined : eventBody(bytes, headers['content-type'] ?? '', headers['content-encoding'] ?? '')
  const body = bytes.byteLength === 0 ? {} : { body: text ?? Buffer.from(bytes).toString('base64') }
  const now = Date.now()
  return JSON.stringify({
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(url.search
      ? {
          queryStringParameters: Object.fromEntries(
            [...new Set(url.searchParams.keys())].map((key) => [key, url.searchParams.getAll(key).join(',')]),
          ),
        }
      : {}),
    requestContext: {
      accountId,
      apiId: urlId,
      domainName: url.host,
      domainPrefix: urlId,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...body,
    isBase64Encoded: text === undefined && bytes.byteLength > 0,
  })
}

interface UrlResult {
  statusCode?: number
  headers?: Record<string, string>
  cookies?: string[]
  body?: string
  isBase64Encoded?: boolean
}

/**
 * Lambda's reading of the function's answer: a `statusCode` object is the
 * response; anything else is a 200 `application/json` body, the JSON text, except
 * that a string result is the body itself, unquoted (recorded from AWS: LocalStack
 * snapshots test_lambda_url_invocation[string|integer|dict|list-mixed]).
 */
function responseOf(payload: string, requestId: string): Response {
  const result = JSON.parse(payload) as unknown
  const headers = new Headers({ 'x-amzn-RequestId': requestId })
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    headers.set('content-type', 'application/json')
    return new HttpResponse(typeof result === 'string' ? result : payload, { status: 200, headers })
  }
  const answer = result as UrlResult
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers.set(name, value)
  for (const cookie of answer.cookies ?? []) headers.append('set-cookie', cookie)
  const status = answer.statusCode ?? 200
  const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8')
  // Lambda labels a body without a type as JSON; an empty answer (204, 304, a redirect) gets no label.
  if (!headers.has('content-type') && body.byteLength > 0) headers.set('content-type', 'application/json')
  if (status === 204 || status === 304) return new HttpResponse(null, { status, headers })
  const coding = headers.get('content-encoding')
  // The caller's fetch fails on a body not in its declared coding; msw would never finish it.
  if (!fetchCanDecode(coding, body)) return new HttpResponse(failingBody(coding), { status, headers })
  return new HttpResponse(body, { status, headers })
}

function message(status: number, text: string, errorType = text.replace(/ /g, '')): Response {
  return HttpResponse.json({ Message: text }, { status, headers: { 'x-amzn-ErrorType': errorType } })
}

/** A refused URL call, as recorded from AWS (LocalStack snapshot test_lambda_url_persists_after_alias_delete). */
function forbidden(): Response {
  return message(
    403,
    'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    'AccessDeniedException',
  )
}

/**
 * Function URLs (`https://<id>.lambda-url.<region>.on.aws/`): refuse what
 * the auth type refuses, hand the request to the function as a 2.0 event,
 * and turn its answer into the HTTP response. Not subject to injected
 * faults: callers reach it with plain fetch, which nothing retries.
 */
export function functionUrlHandlers(env: EmulatorEnv) {
  const { state } = env
  const { region, accountId } = state.options
  const host = new RegExp(`^https://([0-9a-z]+)\\.lambda-url\\.${region.replace(/-/g, '\\-')}\\.on\\.aws/`)
  return [
    http.all(host, async ({ request }) => {
      state.record('InvokeFunctionUrl')
      const urlId = host.exec(request.url)?.[1] ?? ''
      const fn = [...state.functions.values()].find((candidate) => candidate.url?.url.includes(`//${urlId}.`))
      if (!fn?.url) return forbidden()
      settle(fn, state.options.stateClock.now())
      const allowed = fn.url.authType === 'AWS_IAM' ? signedForLambda(request, region) : publiclyInvocable(fn)
      if (!allowed) return forbidden()
      const requestId = randomUUID()
      const event = await urlEvent(request, urlId, accountId, requestId)
      // The 6 MB synchronous payload quota applies to the event (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
      if (Buffer.byteLength(event) > AWS_LIMITS.syncRequestBytes) {
        const limit = AWS_LIMITS.syncRequestBytes
        return message(
          413,
          `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
          'RequestTooLargeException',
        )
      }
      try {
        const execution = await execute(env, fn, event, requestId)
        // A function error is a 502 whose body is the plain text "Internal Server Error" (awsdocs/aws-lambda-developer-guide#430,
        // awslabs/aws-lambda-cpp#200 report what callers see); the error itself is only in the logs.
        if (execution.functionError)
          return new HttpResponse('Internal Server Error', { status: 502, headers: { 'x-amzn-RequestId': requestId } })
        return responseOf(execution.body, requestId)
      } catch (error) {
        if (ThrottledError.isInstance(error)) return message(429, 'Too Many Requests')
        throw error
      }
    }),
  ]
}

/**
 * Shared Key authorization as Azure Storage checks it: the server rebuilds
 * the string to sign from the request and compares HMAC-SHA256 signatures
 * under either account key. Reference:
 * https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 * (the same construction as Azurite's QueueSharedKeyAuthenticator and the
 * SDK's StorageSharedKeyCredentialPolicy).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

const SIGNED_HEADERS = [
  'content-language',
  'content-encoding',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const

/** The Shared Key string to sign for a request to `account` with a body of `bodyBytes` bytes. */
export function stringToSign(request: Request, url: URL, account: string, bodyBytes: number): string {
  const header = (name: (typeof SIGNED_HEADERS)[number]) => {
    const value = request.headers.get(name) ?? ''
    // Since version 2015-02-21 a zero Content-Length signs as empty; msw may drop the header, the body length stands in.
    if (name === 'content-length') return (value || String(bodyBytes)) === '0' ? '' : value || String(bodyBytes)
    return value
  }
  const canonicalHeaders = [...request.headers.entries()]
    .filter(([name]) => name.startsWith('x-ms-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.trimStart()}\n`)
    .join('')
  const queries = [...new Set(url.searchParams.keys())]
    .map((name) => [name.toLowerCase(), url.searchParams.getAll(name).sort().join(',')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `\n${name}:${value}`)
    .join('')
  return `${[request.method.toUpperCase(), ...SIGNED_HEADERS.map(header)].join('\n')}\n${canonicalHeaders}/${account}${url.pathname}${queries}`
}

/** True when `Authorization: SharedKey account:signature` is signed with one of the account's keys. */
export function sharedKeyValid(request: Request, url: URL, account: string, keys: readonly string[], bodyBytes: number): boolean {
  const match = /^SharedKey ([^:]+):(.+)$/.exec(request.headers.get('authorization') ?? '')
  if (!match || match[1] !== account) return false
  const given = Buffer.from(match[2] ?? '', 'base64')
  const text = stringToSign(request, url, account, bodyBytes)
  return keys.some((key) => {
    const expected = createHmac('sha256', Buffer.from(key, 'base64')).update(text, 'utf8').digest()
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
}

/**
 * Turns the raw exchanges of a run into transcript exchanges that can be
 * committed: credentials, signatures, tokens, keys, SAS query strings and
 * account / subscription / project ids and numbers become stable placeholders
 * (`<account-id>`, `<signature>`, ...; the same value gets the same placeholder
 * throughout a run, so the replayer can fill them consistently). Then
 * `assertNoLeak` refuses any text that still holds a value of the run's
 * credentials, in any of the encodings it could travel in.
 */
import { type Body, type Exchange, type RecordedRequest, type RecordedResponse, requestKey } from './transcript.ts'

/** A value that must never be written, with what it is (the label is what an error names, never the value). */
export interface Secret {
  label: string
  value: string
}

/** An exchange as the recorder saw it: every header, raw bodies. */
export interface RawExchange {
  request: { method: string; url: string; headers: Record<string, string>; body: Uint8Array }
  response?: { status: number; headers: Record<string, string>; body: Uint8Array } | undefined
}

/** Request headers kept: those an emulator routes or answers on. Anything else (dates, user agents, lengths) is dropped. */
export const REQUEST_HEADERS: readonly string[] = [
  'accept',
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'x-amz-client-context',
  'x-amz-invocation-type',
  'x-amz-log-type',
  'x-amz-security-token',
  'x-amz-target',
  'x-goog-request-params',
  'x-http-method-override',
  'x-ms-version',
]

/** Response headers kept: status-like ones the providers read (a provider adds its own: `ProviderFidelity.responseHeaders`). */
export const RESPONSE_HEADERS: readonly string[] = [
  'content-type',
  'etag',
  'location',
  'retry-after',
  'www-authenticate',
  'x-amz-executed-version',
  'x-amz-function-error',
  'x-amzn-errortype',
  'x-ms-error-code',
]

/** Query parameters that carry credentials: SAS tokens (`sig`, ...), presigned URLs, OAuth. */
const SECRET_QUERY =
  /^(?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|access_token|id_token|code|key|api[-_]?key|token|client_secret|skoid|sktid|skt|ske|sks|skv)$/i

/** JSON keys whose string values are secrets (`SecretAccessKey`, `primaryKey`, `connectionString`, `access_token`...). */
const SECRET_KEY =
  /(?:secret|password|passwd|sessiontoken|access_?token|id_?token|refresh_?token|signature|credential|connectionstring|accountkey|primarykey|secondarykey|masterkey|private_?key|api_?key|access_?key(?!id)|sas_?(?:token|url)|^sas$)/i
/** Tokens that page through lists: not secrets, and the replayer binds them to the emulator's own. */
const PAGING_KEY = /(?:next|page|continuation|pagination)_?token|nextmarker|marker/i

/**
 * Answers that list keys: every string in them is a key but for these fields. Storage `listKeys`
 * (`{ keys: [{ keyName, value, permissions }] }`), a function's `listkeys` (a flat map
 * `{ default: ... }`), the host's `listkeys` (`masterKey`, `functionKeys`, `systemKeys`), and the
 * key routes under `functionkeys` / `systemkeys` / `keys` (ARM REST reference, Web Apps and Storage).
 */
const KEY_LIST_PATH = /\/(?:list\w*keys|listsecrets)$|\/(?:functionkeys|systemkeys|keys)(?:\/[^/]+)?$/i
const KEY_LIST_KEPT = new Set(['keyname', 'permissions', 'creationtime', 'id', 'name', 'type', 'location', 'nextlink'])
/** A site's app settings as a map under `properties` (PUT `config/appsettings`, POST `config/appsettings/list`). */
const SETTINGS_PATH = /\/config\/appsettings(?:\/list)?$/i

/** Where a JSON string sits: the keys from the root (array items add none) and what the URL says the body is. */
interface JsonPlace {
  keys: readonly string[]
  keyList: boolean
  settings: boolean
}

/**
 * The placeholder for a secret string at `place`, or undefined when the string is not one. Users'
 * environment values (a function's `Environment.Variables`, `environmentVariables`, `appSettings[].value`,
 * an app-settings map) are all secret, whatever their names say: only the names are kept.
 */
function secretPlaceholder(place: JsonPlace): string | undefined {
  const { keys } = place
  const key = keys[keys.length - 1] ?? ''
  const lower = keys.map((k) => k.toLowerCase())
  const under = (name: string) => lower.slice(0, -1).includes(name)
  // Environment values: the map's entries (names kept as keys), or the `value` of `{ name, value }` items.
  if (lower.some((k, i) => k === 'variables' && lower[i - 1] === 'environment' && i < lower.length - 1)) return '<env-value>'
  if (under('environmentvariables') || under('buildenvironmentvariables')) return '<env-value>'
  if (under('appsettings') && key.toLowerCase() !== 'name') return '<env-value>'
  if (place.settings && lower[0] === 'properties' && lower.length > 1) return '<env-value>'
  // Keys: storage `keys[].value`, function / host keys, anything in an answer that lists keys.
  if (under('functionkeys') || under('systemkeys')) return '<secret>'
  if (key === 'value' && under('keys')) return '<secret>'
  if (place.keyList && !KEY_LIST_KEPT.has(key.toLowerCase()) && !PAGING_KEY.test(key)) return '<secret>'
  if (SECRET_KEY.test(key) && !PAGING_KEY.test(key)) return '<secret>'
  return undefined
}

/**
 * Secrets inside free text, first capture group the value: a connection string's `AccountKey=` and
 * `SharedAccessSignature=` (Azure Storage connection strings), a SAS URL's `sig=`, presigned URLs.
 */
const SECRET_TEXT: readonly { label: string; pattern: RegExp }[] = [
  { label: 'an AccountKey', pattern: /AccountKey=([^;"'\s]+)/gi },
  { label: 'a SharedAccessSignature', pattern: /SharedAccessSignature=([^;"'\s]+)/gi },
  { label: 'a SAS signature', pattern: /[?&;]sig=([^&;"'\s]+)/gi },
  { label: 'a presigned URL signature', pattern: /[?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=([^&"'\s]+)/gi },
]

/** Hosts that only hand out credentials: nothing there is worth replaying, and everything there is secret. */
export const CREDENTIAL_HOSTS: readonly RegExp[] = [
  /^oauth2\.googleapis\.com$/,
  /^accounts\.google\.com$/,
  /^www\.googleapis\.com$/,
  /^iamcredentials\.googleapis\.com$/,
  /^sts(?:\.[a-z0-9-]+)?\.amazonaws\.com$/,
  /^login\.microsoftonline\.com$/,
  /^169\.254\.169\.254(?::\d+)?$/,
  /^metadata\.google\.internal$/,
]

/** The kinds of identifiers learned from a run, with where they show (first capture group is the value). */
const IDENTIFIERS: readonly { kind: string; pattern: RegExp }[] = [
  // ARNs: arn:aws:lambda:us-east-1:123456789012:function:f, arn:aws:iam::123456789012:role/r
  { kind: 'account-id', pattern: /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g },
  // SQS queue URLs and the path of their requests: https://sqs.us-east-1.amazonaws.com/123456789012/q
  { kind: 'account-id', pattern: /amazonaws\.com\/(\d{12})\//g },
  { kind: 'access-key-id', pattern: /Credential=((?:AKIA|ASIA|AKID)[A-Z0-9]{4,})\//g },
  // GCP resource names: projects/my-project/locations/..., projects/123456789/...
  { kind: 'project-number', pattern: /projects\/(\d{6,})(?=[/"?\s]|$)/g },
  { kind: 'project-id', pattern: /projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])(?=[/"?\s]|$)/g },
  { kind: 'project-number', pattern: /\b(\d{6,})-compute@developer\.gserviceaccount\.com/g },
  // Azure: /subscriptions/<uuid>/resourceGroups/...
  { kind: 'subscription-id', pattern: /subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi },
  { kind: 'tenant-id', pattern: /"tenantId"\s*:\s*"([0-9a-f-]{36})"/gi },
]

const decoder = new TextDecoder('utf-8', { fatal: true })

function decodeBody(bytes: Uint8Array): Body {
  if (bytes.byteLength === 0) return null
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return { base64: Buffer.from(bytes).toString('base64') }
  }
  try {
    return { json: JSON.parse(text) }
  } catch {
    return { text }
  }
}

/**
 * Every form a value can travel in: as is, JSON-escaped, URL-encoded, and
 * base64 at each of the three byte alignments it can have inside a longer
 * base64 text (the groups that mix in neighbouring bytes are left out).
 */
function encodings(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])
  const bytes = Buffer.from(value)
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes])
    const whole = padded.subarray(0, padded.length - (padded.length % 3)).toString('base64')
    forms.add(whole.slice(shift === 0 ? 0 : 4))
  }
  return [...forms].filter((form) => form.length >= 6)
}

/** The labels of the secrets `text` holds (empty when none). */
export function findLeaks(text: string, secrets: readonly Secret[]): string[] {
  const found = new Set<string>()
  for (const secret of secrets) {
    if (secret.value.length < 6) continue
    if (encodings(secret.value).some((form) => text.includes(form))) found.add(secret.label)
  }
  return [...found]
}

/** A transcript that would have held a credential of the run; nothing was written. */
export class SecretLeakError extends Error {
  override name = 'SecretLeakError'
}

/** Throws SecretLeakError (naming what leaked, never the value) when `text` holds a secret. */
export function assertNoLeak(text: string, secrets: readonly Secret[], what: string): void {
  const leaks = findLeaks(text, secrets)
  if (leaks.length > 0) {
    throw new SecretLeakError(`refusing to write ${what}: it still holds ${leaks.join(', ')} after scrubbing`)
  }
}

/**
 * Scrubs the exchanges of one run. `learn` every raw exchange first (it
 * finds account ids, project ids, tokens), then `scrub` them: a value learned
 * late is still replaced in exchanges seen before it.
 */
export class Scrubber {
  /** Learned identifier values → placeholder, longest first when replacing. */
  readonly #placeholders = new Map<string, string>()
  readonly #counts = new Map<string, number>()
  /** Credentials seen on the wire (bearer tokens, signatures, session tokens) and the caller's: the leak check's list. */
  readonly #secrets: Secret[] = []

  /** Response headers kept: the common ones and those the recorded provider acts on. */
  readonly #responseHeaders: readonly string[]

  constructor(secrets: readonly Secret[] = [], options: { responseHeaders?: readonly string[] } = {}) {
    for (const secret of secrets) this.#secrets.push(secret)
    this.#responseHeaders = [...RESPONSE_HEADERS, ...(options.responseHeaders ?? [])]
  }

  /** Every value that must not be written: the caller's credentials and those the run sent or received. */
  get secrets(): readonly Secret[] {
    return this.#secrets
  }

  #name(kind: string, value: string): string {
    const known = this.#placeholders.get(value)
    if (known) return known
    const n = (this.#counts.get(kind) ?? 0) + 1
    this.#counts.set(kind, n)
    const placeholder = n === 1 ? `<${kind}>` : `<${kind}-${n}>`
    this.#placeholders.set(value, placeholder)
    return placeholder
  }

  #secret(label: string, value: string): void {
    if (value.length >= 6 && !this.#secrets.some((s) => s.value === value)) this.#secrets.push({ label, value })
  }

  /** Finds identifiers and credentials in a raw exchange. */
  learn(raw: RawExchange): void {
    const texts = [raw.request.url, ...Object.values(raw.request.headers), bodyText(raw.request.body)]
    if (raw.response) texts.push(...Object.values(raw.response.headers), bodyText(raw.response.body))
    for (const text of texts) {
      for (const { kind, pattern } of IDENTIFIERS) {
        for (const match of text.matchAll(pattern)) if (match[1]) this.#name(kind, match[1])
      }
    }
    const auth = raw.request.headers.authorization
    if (auth) {
      const [, credential] = /^\S+\s+(.+)$/.exec(auth) ?? []
      const signature = /Signature=([0-9a-f]+)/.exec(auth)?.[1]
      if (signature) this.#secret('a request signature', signature)
      else if (credential) this.#secret('an Authorization credential', credential)
    }
    const session = raw.request.headers['x-amz-security-token']
    if (session) this.#secret('a session token', session)
    // Tokens a credential endpoint handed out, keys, environment values and secret-named fields of any body.
    const url = new URL(raw.request.url)
    const answer = raw.response ? decodeBody(raw.response.body) : null
    if (answer && 'json' in answer) this.#collectSecretFields(answer.json, placeOf(url.pathname))
    const sent = decodeBody(raw.request.body)
    if (sent && 'json' in sent) this.#collectSecretFields(sent.json, placeOf(url.pathname))
    for (const [name, value] of url.searchParams) {
      if (SECRET_QUERY.test(name)) this.#secret(`the query parameter ${name}`, value)
    }
    // Connection strings and SAS wherever they travel: URLs, headers, any body.
    for (const text of texts) this.#collectSecretText(text)
  }

  #collectSecretText(text: string): void {
    for (const { label, pattern } of SECRET_TEXT) {
      for (const match of text.matchAll(pattern)) {
        const value = match[1]
        if (!value) continue
        this.#secret(label, value)
        // A URL-encoded value (a SAS in a query) may show decoded elsewhere, and the other way round.
        const decoded = safeDecode(value)
        if (decoded !== value) this.#secret(label, decoded)
      }
    }
  }

  #collectSecretFields(value: unknown, place: JsonPlace): void {
    if (typeof value === 'string') {
      const placeholder = secretPlaceholder(place)
      const key = place.keys[place.keys.length - 1] ?? ''
      if (placeholder) this.#secret(placeholder === '<env-value>' ? `an environment value (${key})` : `the field ${key}`, value)
      this.#collectSecretText(value)
    } else if (Array.isArray(value)) {
      for (const item of value) this.#collectSecretFields(item, place)
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.#collectSecretFields(v, { ...place, keys: [...place.keys, k] })
    }
  }

  /** Replaces learned identifiers and known secrets in free text. */
  text(input: string): string {
    let out = input
    const values = [...this.#placeholders.keys()].sort((a, b) => b.length - a.length)
    for (const value of values) out = out.replaceAll(value, this.#placeholders.get(value) ?? '')
    for (const secret of this.#secrets) {
      for (const form of encodings(secret.value)) out = out.replaceAll(form, '<secret>')
    }
    // Signed URLs and SAS strings inside bodies (GetFunction's Code.Location, blob SAS URLs), and connection strings.
    out = out.replace(/([?&;](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|sig)=)[^&;"'\s]+/gi, '$1<signature>')
    out = out.replace(/(AccountKey=)[^;"'\s]+/gi, '$1<secret>')
    out = out.replace(/(SharedAccessSignature=)[^;"'\s]+/gi, '$1<signature>')
    return out
  }

  #json(value: unknown, place: JsonPlace): unknown {
    if (typeof value === 'string') return secretPlaceholder(place) ?? this.text(value)
    if (Array.isArray(value)) return value.map((item) => this.#json(item, place))
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.text(k), this.#json(v, { ...place, keys: [...place.keys, k] })]),
      )
    }
    return value
  }

  #body(bytes: Uint8Array, path: string): Body {
    const body = decodeBody(bytes)
    if (body === null || 'base64' in body) return body
    if ('json' in body) return { json: this.#json(body.json, placeOf(path)) }
    return { text: this.text(body.text) }
  }

  #authorization(value: string): string {
    const [scheme = ''] = value.split(' ', 1)
    if (scheme === 'AWS4-HMAC-SHA256') {
      // Keep the scheme and the scope (date, region, service): the emulator routes on the scheme, the scope is not secret.
      const scope = /Credential=[^/]+\/([^,]+)/.exec(value)?.[1] ?? '<scope>'
      const signed = /SignedHeaders=([^,]+)/.exec(value)?.[1] ?? ''
      return `AWS4-HMAC-SHA256 Credential=<access-key-id>/${scope}, SignedHeaders=${signed}, Signature=<signature>`
    }
    if (/^SharedKey(Lite)?$/i.test(scheme)) return `${scheme} <account>:<signature>`
    return `${scheme} <token>`
  }

  #headers(headers: Record<string, string>, keep: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {}
    for (const name of keep) {
      const value = headers[name]
      if (value === undefined) continue
      if (name === 'authorization') out[name] = this.#authorization(value)
      else if (name === 'x-amz-security-token') out[name] = '<session-token>'
      else out[name] = this.text(value)
    }
    return out
  }

  scrub(raw: RawExchange): Exchange {
    const url = new URL(raw.request.url)
    const request: RecordedRequest = {
      method: raw.request.method.toUpperCase(),
      host: url.host,
      path: this.text(url.pathname),
      query: [...url.searchParams].map(([name, value]) => [name, SECRET_QUERY.test(name) ? '<signature>' : this.text(value)]),
      headers: this.#headers(raw.request.headers, REQUEST_HEADERS),
      body: this.#body(raw.request.body, url.pathname),
    }
    const out: Exchange = { request }
    if (raw.response) {
      const response: RecordedResponse = {
        status: raw.response.status,
        headers: this.#headers(raw.response.headers, this.#responseHeaders),
        body: this.#body(raw.response.body, url.pathname),
      }
      out.response = response
    }
    return out
  }

  /**
   * Scrubs a run's exchanges in order and marks a GET repeating the one before it as a poll (a wait
   * loop). Repeated writes and invokes stay exchanges of their own: each one does something.
   */
  scrubAll(raws: readonly RawExchange[]): Exchange[] {
    for (const raw of raws) this.learn(raw)
    const exchanges = raws.map((raw) => this.scrub(raw))
    exchanges.forEach((exchange, i) => {
      const repeat = i > 0 && requestKey(exchanges[i - 1]?.request) === requestKey(exchange.request)
      if (repeat && (exchange.request.method === 'GET' || exchange.request.method === 'HEAD')) exchange.poll = true
    })
    return exchanges
  }
}

/** Where a body's strings start: its keys from the root, and what the request's path says the body is. */
function placeOf(path: string): JsonPlace {
  return { keys: [], keyList: KEY_LIST_PATH.test(path), settings: SETTINGS_PATH.test(path) }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function bodyText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8')
}

/** Whether a host only hands out credentials (its exchanges are never recorded). */
export function isCredentialHost(host: string): boolean {
  return CREDENTIAL_HOSTS.some((pattern) => pattern.test(host))
}

/**
 * Records every HTTP exchange the process makes while it runs, whoever makes
 * it: the AWS SDK (node:http / node:https), Google's REST clients (fetch),
 * Azure's pipeline (node:https) and cloudfn's own calls (fetch). It uses the
 * interceptor msw itself is built on, in passthrough mode: requests reach the
 * network unchanged, and the recorder keeps a copy of each request and of the
 * answer as it arrived.
 *
 * One recorder per run; `take()` hands over the exchanges recorded since the
 * last call (one scenario's), and `transcript()` scrubs them (scrub.ts).
 * Exchanges with credential endpoints (OAuth, STS, instance metadata) are not
 * kept, but the tokens they hand out join the leak check's list.
 */
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { HttpRequestInterceptor } from '@mswjs/interceptors/http'
import { assertNoLeak, isCredentialHost, type RawExchange, Scrubber, type Secret } from './scrub.ts'
import { serializeTranscript, TRANSCRIPT_FORMAT, type Transcript, type TranscriptSource } from './transcript.ts'

export interface RecorderOptions {
  /** Values of the run's credentials: they never reach a transcript (see `credentialSecrets`). */
  secrets?: readonly Secret[]
  /** Hosts to record (default: every host except credential endpoints). */
  include?: (host: string) => boolean
  /**
   * Stand-ins: `{ '127.0.0.1:4567': 'lambda.us-east-1.amazonaws.com' }` records
   * requests to a loopback server standing in for a cloud under the cloud's host.
   */
  hostAliases?: Readonly<Record<string, string>>
  /** Response headers the recorded provider acts on, kept beside the common ones (`ProviderFidelity.responseHeaders`). */
  responseHeaders?: readonly string[]
}

export interface Recorder {
  /** Raw exchanges since the last `take()`, in the order their requests were sent; waits for answers still arriving. */
  take(): Promise<RawExchange[]>
  /** The exchanges since the last `take()` as a scrubbed transcript. */
  transcript(meta: { provider: string; scenario: string; source?: Partial<TranscriptSource> }): Promise<Transcript>
  /** Every credential the scrubber knows of so far (given and seen on the wire): what the leak check refuses. */
  readonly secrets: readonly Secret[]
  /** Stops intercepting. */
  stop(): void
}

interface Pending {
  seq: number
  raw: RawExchange
  done: Promise<void>
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value
  })
  return out
}

async function bytesOf(message: Request | Response): Promise<Uint8Array> {
  try {
    return new Uint8Array(await message.clone().arrayBuffer())
  } catch {
    // A body already used or a stream that failed: the exchange is kept without it.
    return new Uint8Array()
  }
}

/** Starts recording. Stop it (`stop()`) before another interceptor-based tool (an msw server) starts. */
export function startRecorder(options: RecorderOptions = {}): Recorder {
  const interceptor = new HttpRequestInterceptor()
  const scrubber = new Scrubber(options.secrets, { responseHeaders: options.responseHeaders ?? [] })
  const aliases = options.hostAliases ?? {}
  const include = options.include ?? (() => true)
  let seq = 0
  let pending = new Map<string, Pending>()
  let answered = new Map<string, Promise<void>>()

  interceptor.apply()
  interceptor.on('request', ({ request, requestId }) => {
    const url = new URL(request.url)
    const done = bytesOf(request).then((body) => {
      entry.raw.request.body = body
    })
    const entry: Pending = {
      seq: seq++,
      raw: {
        request: {
          method: request.method,
          url: aliases[url.host] ? `https://${aliases[url.host]}${url.pathname}${url.search}` : url.href,
          headers: headerRecord(request.headers),
          body: new Uint8Array(),
        },
      },
      done,
    }
    pending.set(requestId, entry)
  })
  interceptor.on('response', ({ response, requestId }) => {
    const entry = pending.get(requestId)
    if (!entry) return
    const arrived = bytesOf(response).then((body) => {
      entry.raw.response = { status: response.status, headers: headerRecord(response.headers), body }
    })
    answered.set(requestId, arrived)
  })

  async function take(): Promise<RawExchange[]> {
    const entries = pending
    const answers = answered
    pending = new Map()
    answered = new Map()
    await Promise.all([...[...entries.values()].map((entry) => entry.done), ...answers.values()])
    const out: RawExchange[] = []
    for (const entry of [...entries.values()].sort((a, b) => a.seq - b.seq)) {
      const host = new URL(entry.raw.request.url).host
      // Always learn from credential endpoints (the tokens they hand out), never keep them.
      scrubber.learn(entry.raw)
      if (isCredentialHost(host) || !include(host)) continue
      out.push(entry.raw)
    }
    return out
  }

  return {
    take,
    get secrets() {
      return scrubber.secrets
    },
    async transcript({ provider, scenario, source }) {
      const exchanges = scrubber.scrubAll(await take())
      return {
        format: TRANSCRIPT_FORMAT,
        provider,
        scenario,
        source: { kind: 'recorded', at: new Date().toISOString(), ...source },
        exchanges,
      }
    },
    stop() {
      interceptor.dispose()
    },
  }
}

/**
 * Writes a transcript after the leak check: when the text still holds a value
 * of `secrets`, it throws SecretLeakError and nothing is written.
 */
export async function writeTranscript(file: string, transcript: Transcript, secrets: readonly Secret[]): Promise<void> {
  const text = serializeTranscript(transcript)
  assertNoLeak(text, secrets, file)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
}

/**
 * The credentials a run against a real cloud uses, from the environment the
 * SDKs' default chains read. A value shorter than 6 characters is not checked
 * (it would match everywhere).
 */
export function credentialSecrets(env: NodeJS.ProcessEnv = process.env): Secret[] {
  const names = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AZURE_CLIENT_SECRET',
    'AZURE_CLIENT_ID',
    'AZURE_TENANT_ID',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_CLIENT_CERTIFICATE_PASSWORD',
    'GOOGLE_OAUTH_ACCESS_TOKEN',
    'CLOUDSDK_AUTH_ACCESS_TOKEN',
  ]
  const out: Secret[] = []
  for (const name of names) {
    const value = env[name]
    if (value && value.length >= 6) out.push({ label: name, value })
  }
  // A Google credentials file: a service account's key or a user's refresh token.
  const file = env.GOOGLE_APPLICATION_CREDENTIALS
  if (file) {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      for (const field of ['private_key', 'private_key_id', 'client_secret', 'refresh_token']) {
        const value = json[field]
        if (typeof value === 'string' && value.length >= 6)
          out.push({ label: `${field} of GOOGLE_APPLICATION_CREDENTIALS`, value })
      }
    } catch {
      // Unreadable: the run itself fails on it, with Google's own message.
    }
  }
  return out
}

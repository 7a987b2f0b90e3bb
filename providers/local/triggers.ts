import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { NotFoundError } from '../../src/errors/not-found.ts'
import type { FetchRequest, LogEntry, SendRequest } from '../../src/provider.ts'
import { httpResultOf } from '../../src/runtime/http-envelope.ts'
import {
  errorResponseWire,
  requestToWire,
  toBase64,
  type WireRequest,
  type WireResponse,
  wireToResponse,
} from '../../src/runtime/http-wire.ts'
import { DeliveryQueue } from '../../src/sandbox/delivery-queue.ts'
import type { TriggerClock } from '../../src/triggers/clock.ts'
import { queueNames } from '../../src/triggers/queue.ts'
import type { HttpTrigger, QueueTrigger, Trigger } from '../../src/triggers/types.ts'
import { deliverTo } from './deliver.ts'
import {
  answerBytes,
  headBytes,
  MAX_HEAD_BYTES,
  MAX_PAYLOAD_BYTES,
  networkAnswer,
  payloadBytes,
  withNetworkHeaders,
} from './http-front.ts'
import type { RunOutcome } from './runner.ts'
import { LocalStorage } from './storage.ts'
import { LocalTopics } from './topics.ts'
import { claimLocalQueues } from './triggers/ownership.ts'

/** Runs one execution of the named function's current version (counted, logged). */
export type Execute = (name: string, payload: string, executionId: string) => Promise<RunOutcome>

interface Endpoint {
  server: Server
  url: string
  trigger: HttpTrigger
}

interface LocalQueue {
  queue: DeliveryQueue
  functionName: string
  /** The name its dead letters are kept under (undefined once deleted out of band; see triggers/ownership.ts). */
  deadLetter: string | undefined
}

/** Header carrying a function's key for `auth: 'key'` on the local fake. */
export const KEY_HEADER = 'x-cloudfn-key'

const ERROR_STATUS: Record<string, number> = { Throttled: 429, Timeout: 504, OutOfMemory: 502 }

/**
 * The local fake's triggers: a loopback HTTP server per HTTP function (so
 * its URL is an origin, as on the clouds), schedules on the provider's
 * clock, and an in-memory at-least-once queue per queue trigger.
 */
export class LocalTriggers {
  readonly endpoints = new Map<string, Endpoint>()
  /** By queue name. */
  readonly queues = new Map<string, LocalQueue>()
  /** Queues made outside cloudfn, by name, with the bodies they hold: never consumed, adopted or deleted by cloudfn. */
  readonly foreignQueues = new Map<string, string[]>()
  /** Topics and their subscribers (see topics.ts). */
  readonly topics: LocalTopics
  /** Buckets and the functions their changes start (see storage.ts). */
  readonly storage: LocalStorage
  private readonly schedules = new Map<string, () => void>()
  /** Per-provider secrets standing in for a function key and for IAM credentials. */
  readonly #secrets = { key: randomBytes(24).toString('base64url'), iam: randomBytes(24).toString('base64url') }

  private readonly execute: Execute
  private readonly log: (name: string, entry: LogEntry) => void
  private readonly clock: TriggerClock
  private readonly queueRetryDelayMs: number

  constructor(options: {
    execute: Execute
    /** Adds a line to the function's log (an HTTP handler's error, which its caller never sees). */
    log: (name: string, entry: LogEntry) => void
    clock: TriggerClock
    queueRetryDelayMs: number
  }) {
    this.execute = options.execute
    this.log = options.log
    this.clock = options.clock
    this.queueRetryDelayMs = options.queueRetryDelayMs
    this.topics = new LocalTopics({ execute: options.execute, retryDelayMs: options.queueRetryDelayMs })
    const now = () => options.clock.now()
    this.storage = new LocalStorage({ execute: options.execute, retryDelayMs: options.queueRetryDelayMs, now })
  }

  /** Starts what `trigger` needs for the function (replacing what it had); resolves with the URL of an HTTP function. */
  async attach(name: string, trigger: Trigger | undefined): Promise<string | undefined> {
    if (trigger?.kind !== 'http') await this.closeEndpoint(name)
    this.topics.attach(name, trigger)
    this.storage.attach(name, trigger)
    this.schedules.get(name)?.()
    this.schedules.delete(name)
    this.detachQueues(name, trigger?.kind === 'queue' ? queueNames(trigger, name).queue : undefined)
    if (trigger?.kind === 'http') return this.serve(name, trigger)
    if (trigger?.kind === 'schedule') {
      const stop = this.clock.every({
        cron: trigger.cron,
        timezone: trigger.timezone,
        // A failed tick is in the function's logs; schedules do not retry it.
        fire: async (at) => {
          await this.execute(name, JSON.stringify({ scheduledTime: at.toISOString() }), randomUUID()).catch(() => {})
        },
      })
      this.schedules.set(name, stop)
    }
    if (trigger?.kind === 'queue') this.listen(name, trigger)
    return undefined
  }

  async detach(name: string): Promise<void> {
    await this.attach(name, undefined)
  }

  /**
   * Calls an HTTP function in this process with its own credentials: no
   * socket, so it works beside msw (which refuses unhandled requests) and
   * skips the loopback round trip. Other callers use the URL.
   */
  async fetch({ record, request }: FetchRequest): Promise<Response> {
    const endpoint = this.endpoints.get(record.name)
    if (!endpoint) return wireToResponse(errorResponseWire(404, 'Not Found'))
    const hasBody = request.body !== null
    // What the handler would see at its URL: the headers Node's fetch adds on the way there.
    const sent = withNetworkHeaders(await requestToWire(request), hasBody)
    const { STATUS_CODES } = await import('node:http')
    const answer = await this.front(record.name, endpoint, sent)
    return networkAnswer(answer, request.method, STATUS_CODES[answer.status] ?? '')
  }

  /**
   * What the loopback server and the in-process fetch share: the limits
   * (Node's 16 KiB head, as the loopback server's node:http refuses it;
   * Lambda's 6 MB each way, with the statuses its function URL answers), then
   * the function without the platform's credential.
   */
  private async front(name: string, endpoint: Endpoint, sent: WireRequest): Promise<WireResponse> {
    if (headBytes(sent.method, sent.url, sent.headers) > MAX_HEAD_BYTES) return { status: 431, headers: [], body: '' }
    if (payloadBytes(sent) > MAX_PAYLOAD_BYTES) return errorResponseWire(413, 'Request Entity Too Large')
    const credential = credentialHeader(endpoint.trigger)
    const answer = await this.respond(name, { ...sent, headers: sent.headers.filter(([header]) => header !== credential) })
    if (answerBytes(answer) > MAX_PAYLOAD_BYTES) return errorResponseWire(502, 'Internal Server Error')
    return answer
  }

  send(request: SendRequest): { messageId: string } {
    const target = this.queues.get(request.queue)
    if (!target) {
      throw new NotFoundError({
        provider: 'local',
        resource: request.queue,
        message: `Queue '${request.queue}' does not exist on local; deploy '${request.name}' with its queue trigger first`,
      })
    }
    return { messageId: target.queue.send(request.message).id }
  }

  /** Bodies of the messages in a function's dead-letter queue. */
  deadLetters(functionName: string): string[] | undefined {
    const found = [...this.queues.values()].find((entry) => entry.functionName === functionName)
    return found?.queue.deadLetters.map((message) => message.body) ?? this.topics.deadLetters(functionName)
  }

  async close(): Promise<void> {
    for (const name of new Set([...this.endpoints.keys(), ...this.schedules.keys()])) await this.detach(name)
    for (const { queue } of this.queues.values()) queue.close()
    this.queues.clear()
    this.topics.close()
    this.storage.close()
  }

  /** The queue-ownership rule (src/triggers/ownership.ts): refuses another function's or a foreign queue or dead-letter queue. */
  async assertQueueFree(name: string, trigger: Trigger | undefined): Promise<void> {
    if (trigger?.kind === 'queue') await claimLocalQueues(this, name, trigger)
  }

  private listen(name: string, trigger: QueueTrigger): void {
    const names = queueNames(trigger, name)
    const settings = { batchSize: trigger.batchSize, maxDeliveries: trigger.maxRetries + 1 }
    const existing = this.queues.get(names.queue)
    if (existing) {
      // The same queue, consumed by the updated function: nothing waiting, in flight or due for a retry is lost.
      existing.queue.reconfigure(settings)
      existing.deadLetter = names.deadLetter
      return
    }
    const queue = new DeliveryQueue({
      ...settings,
      retryDelayMs: this.queueRetryDelayMs,
      deliver: deliverTo(this.execute, name),
    })
    this.queues.set(names.queue, { queue, functionName: name, deadLetter: names.deadLetter })
  }

  private detachQueues(name: string, keep: string | undefined): void {
    for (const [queueName, entry] of this.queues) {
      if (entry.functionName !== name || queueName === keep) continue
      entry.queue.close()
      this.queues.delete(queueName)
    }
  }

  private async serve(name: string, trigger: HttpTrigger): Promise<string> {
    const existing = this.endpoints.get(name)
    if (existing) {
      // Same URL across updates, as on the clouds.
      existing.trigger = trigger
      return existing.url
    }
    // node:http costs about 40 ms to load: only HTTP functions pay for it.
    const { createServer } = await import('node:http')
    const server = createServer((req, res) => {
      void this.answer(name, req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    server.unref()
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    this.endpoints.set(name, { server, url, trigger })
    return url
  }

  private async closeEndpoint(name: string): Promise<void> {
    const endpoint = this.endpoints.get(name)
    if (!endpoint) return
    this.endpoints.delete(name)
    endpoint.server.closeAllConnections()
    await new Promise((resolve) => endpoint.server.close(resolve))
  }

  private authorized(trigger: HttpTrigger, req: IncomingMessage): boolean {
    const same = (given: string | undefined, expected: string) =>
      given !== undefined && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    if (trigger.auth === 'key') return same(req.headers[KEY_HEADER] as string | undefined, this.#secrets.key)
    if (trigger.auth === 'iam') return same(req.headers.authorization, `Bearer ${this.#secrets.iam}`)
    return true
  }

  private async answer(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const endpoint = this.endpoints.get(name)
    let wire: WireResponse
    try {
      if (!endpoint) wire = errorResponseWire(404, 'Not Found')
      else if (!this.authorized(endpoint.trigger, req)) wire = errorResponseWire(401, 'Unauthorized')
      else wire = await this.front(name, endpoint, await wireRequestOf(req, endpoint.url))
    } catch {
      // The client went away mid-request: nobody is left to answer, and the process must not crash.
      res.destroy()
      return
    }
    res.writeHead(wire.status, wire.headers.flat())
    // A HEAD answer has no body on the wire, whatever the handler wrote.
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(wire.body, 'base64'))
  }

  private async respond(name: string, request: WireRequest): Promise<WireResponse> {
    try {
      const executionId = randomUUID()
      const outcome = await this.execute(name, JSON.stringify(request), executionId)
      // The caller gets a bare 500; the error goes to the function's log, as on the clouds.
      return httpResultOf(outcome.envelope, (message) =>
        this.log(name, { timestamp: new Date().toISOString(), executionId, level: 'error', message }),
      )
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      return errorResponseWire(ERROR_STATUS[code] ?? 500, code || 'Internal Server Error')
    }
  }
}

/** The header carrying the platform credential an auth mode uses, which the handler never sees. */
function credentialHeader(trigger: HttpTrigger): string | undefined {
  return trigger.auth === 'key' ? KEY_HEADER : trigger.auth === 'iam' ? 'authorization' : undefined
}

/** The request as it came over the loopback socket; `front` removes the platform's credential. */
async function wireRequestOf(req: IncomingMessage, base: string): Promise<WireRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  const headers: Array<[string, string]> = []
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    headers.push([(req.rawHeaders[index] as string).toLowerCase(), req.rawHeaders[index + 1] as string])
  }
  return {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', base).href,
    headers,
    body: body.byteLength > 0 ? toBase64(body) : undefined,
  }
}

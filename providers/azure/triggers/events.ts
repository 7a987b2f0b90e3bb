/**
 * The Azure Functions host's trigger inputs, as `@azure/functions` v4 hands
 * them to a handler, turned into cloudfn payloads. Dependency-free: bundled
 * into artifacts by the shim.
 */
import type { WireRequest } from '../../../src/runtime/http-wire.ts'

/** The credential an `authLevel: 'function'` call carries: the host checks it, the handler never sees it. */
export const KEY_HEADER = 'x-functions-key'
const KEY_QUERY = 'code'

export interface HostHttpRequest {
  method: string
  url: string
  headers: Iterable<[string, string]>
  arrayBuffer(): Promise<ArrayBuffer>
}

export async function wireRequestOf(request: HostHttpRequest, keyed: boolean): Promise<WireRequest> {
  const url = new URL(request.url)
  if (keyed) url.searchParams.delete(KEY_QUERY)
  const headers: Array<[string, string]> = []
  for (const [name, value] of request.headers) if (!keyed || name.toLowerCase() !== KEY_HEADER) headers.push([name, value])
  const body =
    request.method === 'GET' || request.method === 'HEAD' ? new Uint8Array() : new Uint8Array(await request.arrayBuffer())
  return {
    method: request.method,
    url: url.href,
    headers,
    body: body.byteLength > 0 ? Buffer.from(body).toString('base64') : undefined,
  }
}

/** The subset of the library's `Timer` cloudfn reads. */
export interface HostTimer {
  scheduleStatus?: { next?: string } | null
}

/**
 * The tick a timer invocation is for. The timer extension hands the function
 * the schedule status from before the tick, whose `next` is the occurrence
 * now firing (also when it fires late, as past due). Without a status
 * (schedule monitoring off) the current minute is the tick: NCRONTAB
 * schedules built from a 5-field cron fire on whole minutes.
 */
export function scheduledTimeOf(timer: HostTimer | undefined, now: number): string {
  const next = timer?.scheduleStatus?.next
  if (next) {
    // The host writes local times (UTC on Linux) without an offset.
    const parsed = Date.parse(/(?:Z|[+-]\d\d:\d\d)$/.test(next) ? next : `${next}Z`)
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString()
  }
  return new Date(Math.floor(now / 60_000) * 60_000).toISOString()
}

/**
 * A queue message's JSON. The library parses message text that is JSON
 * (and passes other text as a string, bytes as a Buffer), so the value is
 * encoded again.
 */
export function queuePayloadOf(message: unknown): string {
  if (Buffer.isBuffer(message)) return message.toString('utf8')
  return JSON.stringify(message) ?? 'null'
}

/**
 * A topic message: `data.message` of the Event Grid event publish() sent (triggers/topic.ts: Event Grid
 * schema data must be an object, so the message is wrapped), which the library hands over parsed; encoded
 * again. An event from another publisher, without that wrapping, stands for its whole `data`.
 */
export function topicPayloadOf(event: unknown): string {
  const data = typeof event === 'object' && event !== null ? (event as { data?: unknown }).data : undefined
  const wrapped = typeof data === 'object' && data !== null && !Array.isArray(data) && 'message' in data
  return JSON.stringify((wrapped ? (data as { message: unknown }).message : data) ?? null)
}

import { UnsupportedError } from './errors/unsupported.ts'
import { controlPlane, type HandleContext } from './handle.ts'
import { normalizeError } from './normalize-error.ts'
import { encodeJson } from './payload.ts'
import type { FunctionRecord } from './provider.ts'
import { throwIfAborted } from './retry.ts'
import { assertMessageFits } from './triggers/message-size.ts'
import { queueNames } from './triggers/queue.ts'
import { publishMessage } from './triggers/topic-publisher.ts'
import { describeValue, expectKnownKeys, expectPlainObject, expectSignal, fail } from './validation.ts'

/** The handle methods that reach a function through its trigger rather than by direct invocation. */
export interface TriggerMethods<I> {
  /**
   * Calls an HTTP function: `input` is a path below its `url` (`'/items?id=1'`),
   * an absolute URL under it, or a `Request` for one; the provider adds the
   * credentials the trigger's `auth` needs. Answers whatever the function
   * answered, error statuses included.
   */
  fetch(input?: string | URL | Request, init?: RequestInit): Promise<Response>
  /** Enqueues a message for a queue-triggered function; it runs at least once. */
  send(message: I, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>
  /** Publishes a message to a topic-triggered function's topic: every subscriber gets it, this one included. */
  publish(message: I, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>
}

function notTriggered(context: HandleContext, record: FunctionRecord, kind: string, how: string): never {
  throw new UnsupportedError({
    provider: context.provider.name,
    capability: `triggers.${kind}`,
    message: `'${record.name}' has no ${kind} trigger; ${how}`,
  })
}

/** `input` as an absolute URL under the function's own, or an error naming it. */
function targetUrl(base: string, input: string | URL | Request | undefined): string {
  const root = base.endsWith('/') ? base : `${base}/`
  const raw = input instanceof Request ? input.url : input === undefined ? root : String(input)
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : new URL(raw.replace(/^\/+/, ''), root).href
  if (absolute !== base && !absolute.startsWith(root)) {
    fail('input', `must be a path or a URL under the function's url ${base} (got ${describeValue(raw)})`)
  }
  return absolute
}

export function createTriggerMethods<I>(context: HandleContext, record: FunctionRecord): TriggerMethods<I> {
  const { provider } = context
  return {
    async fetch(input, init) {
      if (input !== undefined && typeof input !== 'string' && !(input instanceof URL) && !(input instanceof Request)) {
        fail('input', `must be a path, a URL or a Request (got ${describeValue(input)})`)
      }
      const { url, trigger } = record
      if (trigger?.kind !== 'http' || url === undefined || !provider.doFetch) {
        return notTriggered(context, record, 'http', 'deploy it with trigger: http() to call it over HTTP')
      }
      const target = targetUrl(url, input)
      // A Request is already absolute and checked; rebuilding it from its body stream would need `duplex`.
      const request = input instanceof Request ? new Request(input, init) : new Request(target, init)
      throwIfAborted(request.signal.aborted ? request.signal : undefined)
      try {
        return await provider.doFetch({ record, request }, { signal: request.signal })
      } catch (error) {
        throw normalizeError(error, provider.name, 'fetch')
      }
    },

    async send(message, options) {
      const checked = options === undefined ? {} : expectPlainObject(options, 'options')
      expectKnownKeys(checked, ['signal'], 'options')
      const signal = expectSignal(checked.signal, 'options.signal')
      const json = encodeJson(message, 'message')
      const { trigger } = record
      const limits = provider.capabilities.triggers.queue
      if (trigger?.kind !== 'queue' || !limits || !provider.doSend) {
        return notTriggered(context, record, 'queue', 'deploy it with trigger: queue() to send it messages')
      }
      assertMessageFits(provider.name, json, limits.maxMessageBytes, 'queues', 'Send')
      const doSend = provider.doSend.bind(provider)
      const request = { name: record.name, queue: queueNames(trigger, record.name).queue, message: json }
      return controlPlane(context, 'send', () => doSend(request, { signal }), signal)
    },

    async publish(message, options) {
      if (record.trigger?.kind !== 'topic') {
        return notTriggered(context, record, 'topic', 'deploy it with trigger: topic() to publish to its topic')
      }
      return publishMessage(context, record.trigger.name, message, options)
    },
  }
}

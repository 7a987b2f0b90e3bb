import { PayloadTooLargeError } from '../errors/payload-too-large.ts'
import { UnsupportedError } from '../errors/unsupported.ts'
import { controlPlane, type HandleContext } from '../handle.ts'
import { bytesOverLimit, encodeJson } from '../payload.ts'
import { PORTABLE_RULES } from '../portable-rules.ts'
import { describeValue, expectKnownKeys, expectPlainObject, expectSignal, fail } from '../validation.ts'

/** Publishes to a topic from code that is not one of its subscribers (`cloud.topic(name)`). */
export interface TopicPublisher<M = unknown> {
  readonly name: string
  /** Sends one message to every function subscribed to the topic; `NotFoundError` when none is. */
  publish(message: M, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>
}

/** Checks and publishes one message: the part `cloud.topic(name).publish` and a handle's `publish` share. */
export async function publishMessage(
  context: HandleContext,
  topic: string,
  message: unknown,
  options: unknown,
): Promise<{ messageId: string }> {
  const { provider } = context
  const checked = options === undefined ? {} : expectPlainObject(options, 'options')
  expectKnownKeys(checked, ['signal'], 'options')
  const signal = expectSignal(checked.signal, 'options.signal')
  const json = encodeJson(message, 'message')
  const limits = provider.capabilities.triggers.topic
  if (!limits || !provider.doPublish) {
    throw new UnsupportedError({
      provider: provider.name,
      capability: 'triggers.topic',
      message: `${provider.name} offers no topic trigger, so there is nothing to publish to`,
    })
  }
  const bytes = bytesOverLimit(json, limits.maxMessageBytes)
  if (bytes !== undefined) {
    throw new PayloadTooLargeError({
      provider: provider.name,
      direction: 'request',
      bytes,
      limitBytes: limits.maxMessageBytes,
      message: `message is ${bytes} bytes encoded; ${provider.name} topics accept at most ${limits.maxMessageBytes}. Publish a reference (a URL or object key) instead of the data.`,
    })
  }
  const doPublish = provider.doPublish.bind(provider)
  return controlPlane(context, 'publish', () => doPublish({ topic, message: json }, { signal }), signal)
}

export function createTopicPublisher<M>(context: HandleContext, name: unknown): TopicPublisher<M> {
  if (typeof name !== 'string' || !PORTABLE_RULES.name.pattern.test(name)) {
    fail('name', `must be ${PORTABLE_RULES.name.description} (got ${describeValue(name)})`)
  }
  return { name, publish: (message, options) => publishMessage(context, name, message, options) }
}

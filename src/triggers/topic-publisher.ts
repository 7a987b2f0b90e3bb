import { UnsupportedError } from '../errors/unsupported.ts'
import { controlPlane, type HandleContext } from '../handle.ts'
import { encodeJson } from '../payload.ts'
import { PORTABLE_RULES } from '../portable-rules.ts'
import { describeValue, expectKnownKeys, expectPlainObject, expectSignal, fail } from '../validation.ts'
import { assertMessageFits } from './message-size.ts'

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
  assertMessageFits(provider.name, json, limits.maxMessageBytes, 'topics', 'Publish')
  const doPublish = provider.doPublish.bind(provider)
  return controlPlane(context, 'publish', () => doPublish({ topic, message: json }, { signal }), signal)
}

export function createTopicPublisher<M>(context: HandleContext, name: unknown): TopicPublisher<M> {
  if (typeof name !== 'string' || !PORTABLE_RULES.name.pattern.test(name)) {
    fail('name', `must be ${PORTABLE_RULES.name.description} (got ${describeValue(name)})`)
  }
  return {
    name,
    publish: async (message, options) => {
      const published = await publishMessage(context, name, message, options)
      // Every subscriber runs later, out of sight: the cloud's costSnapshot() counts the message as unpriced.
      context.ledger?.countUnpriced('publish')
      return published
    },
  }
}

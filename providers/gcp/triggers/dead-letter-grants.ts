/**
 * Pub/Sub moves a message to the dead-letter topic as the project's Pub/Sub
 * service agent, which must be allowed to publish to that topic and to
 * acknowledge the message on the subscription it leaves ("Grant forwarding
 * roles" in Google's dead-letter guide). Without these grants Pub/Sub keeps
 * redelivering the message instead of dead-lettering it. Granted on the two
 * resources only, not on the project, so nothing else is opened up.
 */
import type { ControlPlane } from '../control-plane.ts'
import { ensureBinding } from './iam-binding.ts'

const API = 'https://pubsub.googleapis.com/v1'
const PUBLISHER = 'roles/pubsub.publisher'
const SUBSCRIBER = 'roles/pubsub.subscriber'

const pubsubServiceAgent = (projectNumber: string) =>
  `serviceAccount:service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`

/** `subscription` and `deadLetterTopic` are full resource names; `beforeChange` runs before a write, and only if one is needed. */
export async function grantDeadLetterForwarding(
  plane: ControlPlane,
  subscription: string,
  deadLetterTopic: string,
  beforeChange: () => void,
): Promise<void> {
  const agent = pubsubServiceAgent(await plane.projectNumber())
  const topic = { url: `${API}/${deadLetterTopic}`, resource: deadLetterTopic, kind: 'Topic' }
  await ensureBinding(plane.rest, topic, PUBLISHER, agent, beforeChange)
  const pushed = { url: `${API}/${subscription}`, resource: subscription, kind: 'Subscription' }
  await ensureBinding(plane.rest, pushed, SUBSCRIBER, agent, beforeChange)
}

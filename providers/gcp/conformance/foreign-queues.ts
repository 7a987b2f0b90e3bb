import type { ForeignQueues } from '../../../conformance/scenario.ts'
import type { GcpEmulator } from '../emulator/index.ts'

/**
 * Out-of-band queues on the GCP emulator's Pub/Sub, as another tool would
 * make one: a topic and a pull subscription of the same name (labels of
 * their own, none of cloudfn's), holding the messages published to it.
 * Read back as the topic's labels and what its pull subscriptions keep.
 * Written in the emulator's state, not over the wire, so no publish is ever
 * repeated here; a real publisher's retry could leave a copy (Pub/Sub has no
 * publish-side deduplication), which queue-ownership tolerates by comparing
 * distinct messages (`distinctMessages`).
 */
export function gcpForeignQueues(emulator: GcpEmulator, project: string): ForeignQueues {
  const { pubsub } = emulator
  const topic = (name: string) => `projects/${project}/topics/${name}`
  const subscription = (name: string) => `projects/${project}/subscriptions/${name}`
  return {
    async create(name, messages) {
      if (pubsub.topics.has(topic(name))) throw new Error(`topic '${name}' already exists`)
      pubsub.topics.set(topic(name), { name: topic(name), labels: { owner: 'someone-else' } })
      pubsub.subscriptions.set(subscription(name), {
        resource: { name: subscription(name), topic: topic(name), labels: { owner: 'someone-else' } },
        backlog: [],
      })
      pubsub.publish(
        topic(name),
        messages.map((body) => ({ data: Buffer.from(body).toString('base64') })),
      )
    },
    async read(name) {
      const found = pubsub.topics.get(topic(name))
      return found && { marker: { ...found.labels }, messages: pubsub.kept(topic(name)) }
    },
    async delete(name) {
      pubsub.removeSubscription(subscription(name))
      pubsub.topics.delete(topic(name))
      pubsub.policies.delete(topic(name))
    },
  }
}

import { holds, type IamBinding, type IamPolicy } from './iam-policy.ts'
import { GcpEmulatorState } from './state.ts'

export const PUBLISHER_ROLE = 'roles/pubsub.publisher'
export const SUBSCRIBER_ROLE = 'roles/pubsub.subscriber'

/** The project's Pub/Sub service agent, which Pub/Sub forwards dead letters as. */
export function pubsubServiceAgent(project: string): string {
  return `serviceAccount:service-${GcpEmulatorState.projectNumber(project)}@gcp-sa-pubsub.iam.gserviceaccount.com`
}

const AGENT = /^serviceAccount:service-(.*)@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/

/** Why Pub/Sub's setIamPolicy would refuse the binding, or undefined. */
export function refusedBinding(binding: IamBinding): string | undefined {
  if (!binding.role.startsWith('roles/pubsub.') && !['roles/owner', 'roles/editor', 'roles/viewer'].includes(binding.role))
    return `Role ${binding.role} is not supported for this resource.`
  for (const member of binding.members) {
    // Service agents are named by project number; one named by anything else (a project ID) does not exist.
    const agent = AGENT.exec(member)?.[1]
    if (agent !== undefined && !/^\d+$/.test(agent))
      return `Service account ${member.slice('serviceAccount:'.length)} does not exist.`
  }
  return undefined
}

/**
 * Whether Pub/Sub may move a message of `subscription` to `deadLetterTopic`:
 * its service agent publishes to the topic and acknowledges on the
 * subscription, so it needs both roles (granted there; the emulator has no
 * project-level policy).
 */
export function mayForward(policies: ReadonlyMap<string, IamPolicy>, subscription: string, deadLetterTopic: string): boolean {
  const agent = pubsubServiceAgent(subscription.split('/')[1] ?? '')
  return holds(policies.get(deadLetterTopic), PUBLISHER_ROLE, agent) && holds(policies.get(subscription), SUBSCRIBER_ROLE, agent)
}

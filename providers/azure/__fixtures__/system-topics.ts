/**
 * A storage account's Event Grid system topic as tests of storage() meet it:
 * made by its owner in another resource group, and a credential that may not
 * list the subscription's system topics.
 */
import { EventGridManagementClient } from '@azure/arm-eventgrid'
import { HttpResponse, http } from 'msw'
import { emulatorCredential } from '../emulator/index.ts'
import { type Kit, SUBSCRIPTION } from './test-kit.ts'

/** The resource group and name of the system topic theirSystemTopic makes. */
export const THEIR_TOPIC = { group: 'their-events', name: 'their-topic' } as const

/**
 * Makes the system topic of the storage account `source` (its resource id) in
 * another resource group than the account's, as a system topic may be (the
 * spec's SystemTopics_Get example is), through ARM as its owner would.
 */
export async function theirSystemTopic(kit: Kit, source: string): Promise<void> {
  const arm = new EventGridManagementClient(emulatorCredential(), SUBSCRIPTION, { retryOptions: { maxRetries: 0 } })
  kit.emulator.state.resourceGroups.set(THEIR_TOPIC.group, { name: THEIR_TOPIC.group, location: 'westeurope', tags: {} })
  await arm.systemTopics.beginCreateOrUpdateAndWait(
    THEIR_TOPIC.group,
    THEIR_TOPIC.name,
    { location: 'westeurope', source, topicType: 'Microsoft.Storage.StorageAccounts' },
    { updateIntervalInMs: 1 },
  )
}

/**
 * From now on ARM answers 403 AuthorizationFailed to a subscription-wide list
 * of system topics, as it does to a credential without read access at that
 * scope (Contributor on cloudfn's resource group only). `kit.server.resetHandlers()` ends it.
 */
export function refuseSubscriptionWideList(kit: Kit): void {
  kit.server.use(
    http.get(/\/subscriptions\/[^/]+\/providers\/Microsoft\.EventGrid\/systemTopics$/i, () =>
      HttpResponse.json({ error: { code: 'AuthorizationFailed', message: 'no read access' } }, { status: 403 }),
    ),
  )
}

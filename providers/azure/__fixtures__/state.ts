/**
 * Emulator state written straight into `AzureState`, for tests of one
 * emulator part (the host's queue listener, a service path) that do not
 * deploy: the fields a real deploy would have filled, with plain fakes.
 */
import type { QueueState } from '../emulator/queues.ts'
import { type AzureState, key, type SiteState, type StorageAccountState } from '../emulator/state.ts'

/** Adds storage account `acct` in resource group `rg` (keys `a` and `b`) holding `queues`. */
export function addStorageAccount(state: AzureState, queues: readonly QueueState[] = []): StorageAccountState {
  const account: StorageAccountState = {
    name: 'acct',
    resourceGroup: 'rg',
    location: 'westeurope',
    keys: ['a', 'b'],
    containers: new Set(),
    queues: new Map(queues.map((queue) => [queue.name, queue])),
    tags: {},
  }
  state.storageAccounts.set(key(account.resourceGroup, account.name), account)
  return account
}

/** Function app `app` in resource group `rg`, with no package, keys, settings or functions unless `fields` gives them. */
export function siteState(fields: Partial<SiteState>): SiteState {
  return {
    name: 'app',
    resourceGroup: 'rg',
    location: 'westeurope',
    kind: 'functionapp,linux',
    tags: {},
    serverFarmId: '',
    functionAppConfig: {},
    appSettings: {},
    masterKey: '',
    hostKey: '',
    functionKeys: new Map(),
    deployments: [],
    app: undefined,
    listedFunctions: [],
    runtime: undefined,
    createdAt: '',
    lastModified: '',
    ...fields,
  }
}

import { checkApiVersion } from './api-versions.ts'
import { armQueues } from './arm-queues.ts'
import {
  type ArmContext,
  blobContainer,
  listContainers,
  listServerFarms,
  resourceGroup,
  serverFarm,
  storageAccount,
} from './arm-resources.ts'
import { listSites, site } from './arm-sites.ts'
import { eventGridTopics, listSystemTopicsOfSubscription } from './eventgrid-arm.ts'
import { armError } from './http.ts'
import type { LongRunningOperations } from './lro.ts'
import type { AzureState } from './state.ts'

/**
 * Routes a request to `management.azure.com` to the resource it names. Paths
 * are matched case-insensitively, as ARM does.
 */
export async function arm(state: AzureState, lro: LongRunningOperations, request: Request, url: URL): Promise<Response> {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  const lower = parts.map((part) => part.toLowerCase())
  if (!url.searchParams.get('api-version')) {
    return armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    )
  }
  const unsupported = checkApiVersion(lower, url.searchParams.get('api-version') ?? '')
  if (unsupported) return unsupported
  if (lower[0] !== 'subscriptions' || !parts[1]) return armError(404, 'NotFound', 'No route.')
  const subscription = parts[1]
  // Operation status: /subscriptions/S/providers/NS/locations/L/operationResults/ID
  if (lower[2] === 'providers' && lower[4] === 'locations' && lower[6] === 'operationresults' && parts[7]) {
    return lro.poll(parts[7])
  }
  // SystemTopics_ListBySubscription: a system topic may be in any group of the subscription, not only its source's.
  if (lower[2] === 'providers' && lower[3] === 'microsoft.eventgrid' && lower[4] === 'systemtopics' && parts.length === 5) {
    return listSystemTopicsOfSubscription(state, subscription, request)
  }
  if (lower[2] !== 'resourcegroups' || !parts[3]) return armError(404, 'NotFound', 'No route.')
  const context: ArmContext = { state, lro, subscription, resourceGroup: parts[3], request }
  if (parts.length === 4) return resourceGroup(context)
  const provider = `${lower[4]}/${lower[5]}/${lower[6]}`
  const name = parts[7]
  if (provider === 'providers/microsoft.web/sites' && !name && request.method === 'GET') return listSites(context)
  if (provider === 'providers/microsoft.web/serverfarms' && !name && request.method === 'GET') return listServerFarms(context)
  if (provider === 'providers/microsoft.eventgrid/topics') return eventGridTopics(context, name, parts.slice(8))
  if (provider === 'providers/microsoft.eventgrid/systemtopics') return eventGridTopics(context, name, parts.slice(8), true)
  if (!name) return armError(404, 'NotFound', 'No route.')
  const rest = parts.slice(8)
  switch (provider) {
    case 'providers/microsoft.storage/storageaccounts':
      if (lower[8] === 'blobservices' && lower[9] === 'default' && lower[10] === 'containers' && parts[11]) {
        return blobContainer(context, name, parts[11])
      }
      if (lower[8] === 'blobservices' && lower[9] === 'default' && lower[10] === 'containers' && request.method === 'GET') {
        return listContainers(context, name)
      }
      if (lower[8] === 'queueservices' && lower[9] === 'default' && lower[10] === 'queues') {
        return armQueues(context, name, parts[11])
      }
      return storageAccount(context, name, rest.length ? rest.join('/').toLowerCase() : undefined)
    case 'providers/microsoft.web/serverfarms':
      return rest.length ? armError(404, 'NotFound', 'No route.') : serverFarm(context, name)
    case 'providers/microsoft.web/sites':
      return site(context, name, rest)
    default:
      return armError(400, 'NoRegisteredProviderFound', `No registered resource provider found for ${parts[5]}.`)
  }
}

/**
 * The api-versions ARM accepts, per resource provider namespace: the stable
 * (and one preview) versions Azure/azure-rest-api-specs publishes, as its
 * readme.md package tags list them (specification/web/resource-manager/
 * Microsoft.Web/AppService, specification/storage/resource-manager,
 * specification/resources/resource-manager/Microsoft.Resources), including
 * the ones the installed SDKs send (@azure/arm-appservice 2025-05-01,
 * @azure/arm-storage 2025-08-01, @azure/arm-resources 2025-04-01). Older
 * versions outside these lists are refused, as ARM refuses an unknown one.
 */
import { armError } from './http.ts'

const VERSIONS: Record<string, readonly string[]> = {
  'microsoft.web': [
    '2015-08-01',
    '2016-03-01',
    '2016-08-01',
    '2016-09-01',
    '2018-02-01',
    '2018-11-01',
    '2019-08-01',
    '2020-06-01',
    '2020-09-01',
    '2020-10-01',
    '2020-12-01',
    '2021-01-01',
    '2021-01-15',
    '2021-02-01',
    '2021-03-01',
    '2022-03-01',
    '2022-09-01',
    '2023-01-01',
    '2023-12-01',
    '2024-04-01',
    '2024-11-01',
    '2025-03-01',
    '2025-05-01',
    '2026-03-01-preview',
    '2026-03-15',
    '2026-07-15',
    '2026-09-01',
  ],
  'microsoft.storage': [
    '2019-06-01',
    '2021-01-01',
    '2021-02-01',
    '2021-04-01',
    '2021-06-01',
    '2021-08-01',
    '2021-09-01',
    '2022-05-01',
    '2022-09-01',
    '2023-01-01',
    '2023-04-01',
    '2023-05-01',
    '2024-01-01',
    '2025-01-01',
    '2025-06-01',
    '2025-08-01',
  ],
  // specification/eventgrid/resource-manager/Microsoft.EventGrid/stable (@azure/arm-eventgrid 14 sends 2022-06-15).
  'microsoft.eventgrid': ['2018-01-01', '2019-01-01', '2019-06-01', '2020-06-01', '2021-12-01', '2022-06-15', '2025-02-15'],
  'microsoft.resources': [
    '2019-10-01',
    '2020-06-01',
    '2020-10-01',
    '2021-01-01',
    '2021-04-01',
    '2022-09-01',
    '2023-07-01',
    '2024-03-01',
    '2024-07-01',
    '2024-11-01',
    '2025-03-01',
    '2025-04-01',
  ],
}

/** The namespace a path addresses: the last `providers/NS` in it, else Microsoft.Resources (groups, subscriptions). */
function namespaceOf(lowerParts: readonly string[]): string {
  const index = lowerParts.lastIndexOf('providers')
  return index >= 0 && lowerParts[index + 1] ? (lowerParts[index + 1] as string) : 'microsoft.resources'
}

/** A Response refusing the request's api-version as ARM does, or undefined when ARM accepts it. */
export function checkApiVersion(lowerParts: readonly string[], apiVersion: string): Response | undefined {
  const namespace = namespaceOf(lowerParts)
  const supported = VERSIONS[namespace]
  if (!supported || supported.includes(apiVersion)) return undefined
  if (namespace === 'microsoft.resources') {
    return armError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${apiVersion}' is invalid. The supported versions are '${[...supported].reverse().join(',')}'.`,
    )
  }
  const type = lowerParts[lowerParts.lastIndexOf('providers') + 2] ?? ''
  return armError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location 'westeurope' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${supported.join(', ')}'.`,
  )
}

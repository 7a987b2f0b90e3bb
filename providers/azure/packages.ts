import type { RequiredPackage } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'

/**
 * What a deploy of `trigger` loads (see sdk.ts) and what the artifact ships:
 * the shim imports `@azure/functions`, which esbuild bundles from this install.
 */
export function azurePackages(trigger: Trigger | undefined, settings: { credential?: unknown }): RequiredPackage[] {
  const needed: RequiredPackage[] = [
    { name: '@azure/functions', for: 'the runtime library every Azure artifact ships' },
    { name: '@azure/arm-appservice', for: 'deploying the function app' },
    { name: '@azure/arm-storage', for: 'the deployment storage account' },
    { name: '@azure/arm-resources', for: 'the resource group' },
  ]
  if (!settings.credential) needed.push({ name: '@azure/identity', for: 'credentials (DefaultAzureCredential)' })
  if (trigger?.kind === 'queue') needed.push({ name: '@azure/storage-queue', for: 'queue() triggers' })
  if (trigger?.kind === 'topic') {
    needed.push({ name: '@azure/arm-eventgrid', for: 'topic() triggers (the Event Grid topic and subscriptions)' })
    needed.push({ name: '@azure/eventgrid', for: 'publishing to topics' })
  }
  if (trigger?.kind === 'storage') {
    needed.push({
      name: '@azure/arm-eventgrid',
      for: "storage() triggers (the account's Event Grid system topic and subscriptions)",
    })
    needed.push({ name: '@azure/storage-blob', for: 'storage() triggers (whether a bucket holds blobs before it is deleted)' })
  }
  return needed
}

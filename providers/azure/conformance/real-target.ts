import { http, passthrough } from 'msw'
import { setupServer } from 'msw/node'
import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { createCloud } from '../../../src/client.ts'
import { createAzureProvider } from '../index.ts'
import { appName } from '../names.ts'

const REQUIRED = ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID'] as const

/**
 * Real Azure (Flex Consumption), with `DefaultAzureCredential`: a service
 * principal through AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET
 * (or a federated token). Resources go to CLOUDFN_AZURE_RESOURCE_GROUP
 * (default `cloudfn-conformance`) in CLOUDFN_AZURE_LOCATION (default
 * `westeurope`). Azure offers no per-call execution count without
 * Application Insights, so the probe counts, on the wire, the calls this
 * process sent to Azure and the invocations the function host answered
 * (200, or 500 for a function that failed or timed out).
 */
export function azureTarget(): ConformanceTarget {
  return {
    name: 'azure',
    realCloud: {
      creates: 'a resource group, a storage account, and one Flex Consumption app and plan per scenario (apps removed again)',
      cost: 'pennies per run for executions; a few cents a month for the storage account until the resource group is deleted',
    },
    unavailable() {
      const missing = REQUIRED.filter((name) => !process.env[name])
      if (!process.env.AZURE_CLIENT_SECRET && !process.env.AZURE_FEDERATED_TOKEN_FILE)
        missing.push('AZURE_CLIENT_SECRET' as never)
      return missing.length
        ? `set ${missing.join(', ')} to run against real Azure (it creates billable Flex Consumption apps)`
        : undefined
    },
    async setup() {
      const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID ?? ''
      const resourceGroup = process.env.CLOUDFN_AZURE_RESOURCE_GROUP ?? 'cloudfn-conformance'
      const scope = { subscriptionId, resourceGroup }
      let requests = 0
      const answered = new Map<string, number>()
      const server = setupServer(
        http.all(/^https:\/\/([^/]+\.)?(azure\.com|azurewebsites\.net|windows\.net)\//i, () => {
          requests++
          return passthrough()
        }),
      )
      server.events.on('response:bypass', ({ request, response }) => {
        const host = new URL(request.url).hostname
        if (host.endsWith('.azurewebsites.net') && !host.includes('.scm.') && [200, 500].includes(response.status)) {
          answered.set(host, (answered.get(host) ?? 0) + 1)
        }
      })
      // Token requests to login.microsoftonline.com and anything else go out untouched.
      server.listen({ onUnhandledFrame: 'bypass' })
      const provider = createAzureProvider({
        subscriptionId,
        resourceGroup,
        location: process.env.CLOUDFN_AZURE_LOCATION ?? 'westeurope',
      })
      const { WebSiteManagementClient } = await import('@azure/arm-appservice')
      const { DefaultAzureCredential } = await import('@azure/identity')
      const web = new WebSiteManagementClient(new DefaultAzureCredential(), subscriptionId)
      const managedNames = async () => {
        const names: string[] = []
        for await (const site of web.webApps.listByResourceGroup(resourceGroup)) {
          const name = site.tags?.['cloudfn:name']
          if (site.tags?.['cloudfn:managed'] === 'true' && name) names.push(name)
        }
        return names
      }
      return {
        cloud: createCloud(provider, { retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000 } }),
        probe: {
          exists: async (name) => (await managedNames()).includes(name),
          executions: async (name) => answered.get(`${appName(scope, name)}.azurewebsites.net`) ?? 0,
          requestCount: async () => requests,
          functionNames: managedNames,
        },
        teardown: async () => {
          server.close()
        },
      }
    },
  }
}

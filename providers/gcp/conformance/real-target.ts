import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { countRequests } from '../../../conformance/targets/wire-counter.ts'
import { createCloud } from '../../../src/client.ts'
import { createGcpProvider } from '../index.ts'
import { functionResourceName, locationName } from '../names.ts'

/**
 * Real Cloud Functions (2nd gen), with Application Default Credentials.
 * Needs CLOUDFN_GCP_PROJECT (and CLOUDFN_GCP_REGION, default europe-west1)
 * plus credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth
 * application-default login`). The probe uses the `@google-cloud/functions`
 * client directly, not cloudfn.
 */
export function gcpTarget(): ConformanceTarget {
  const project = process.env.CLOUDFN_GCP_PROJECT
  const region = process.env.CLOUDFN_GCP_REGION ?? 'europe-west1'
  return {
    name: 'gcp',
    realCloud: {
      creates: 'about 25 Cloud Functions (2nd gen), each built by Cloud Build into Artifact Registry (functions removed again)',
      cost: 'about 25 builds and a few hundred invocations: within the free tiers; small Artifact Registry storage otherwise',
    },
    unavailable() {
      if (!project) return 'set CLOUDFN_GCP_PROJECT (and credentials) to run against real Google Cloud Functions'
      if (!process.env.GOOGLE_APPLICATION_CREDENTIALS && !process.env.CLOUDSDK_CONFIG && !process.env.CLOUDFN_GCP_ADC) {
        return 'set GOOGLE_APPLICATION_CREDENTIALS (or CLOUDFN_GCP_ADC=1 to use gcloud application-default credentials)'
      }
      return undefined
    },
    async setup() {
      const location = { project: project as string, region }
      const provider = createGcpProvider({ project: location.project, region })
      const { v2 } = await import('@google-cloud/functions')
      const client = new v2.FunctionServiceClient({ fallback: 'rest' })
      const requests = countRequests((host) => host.endsWith('.googleapis.com') || host.endsWith('.run.app'))
      const names = async () => {
        const [functions] = await client.listFunctions({ parent: locationName(location) }, { autoPaginate: true })
        return functions.map((fn) => (fn.name ?? '').split('/').pop() ?? '')
      }
      return {
        cloud: createCloud(provider),
        probe: {
          exists: async (name) => {
            try {
              await client.getFunction({ name: functionResourceName(location, name) })
              return true
            } catch (error) {
              if ((error as { status?: number; code?: number }).status === 404 || (error as { code?: number }).code === 5)
                return false
              throw error
            }
          },
          // Counting executions needs Cloud Monitoring: undefined tells scenarios to skip count checks.
          executions: async () => undefined,
          requestCount: async () => requests.count(),
          functionNames: names,
        },
        teardown: async () => {
          requests.stop()
          await client.close()
        },
      }
    },
  }
}

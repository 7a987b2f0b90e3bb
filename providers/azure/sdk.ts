import type { WebSiteManagementClient } from '@azure/arm-appservice'
import type { ResourceManagementClient } from '@azure/arm-resources'
import type { StorageManagementClient } from '@azure/arm-storage'
import type { TokenCredential } from '@azure/core-auth'
import { requestRetryPolicy } from './request-retry.ts'
import type { CheckedSettings } from './settings.ts'

export interface AzureClients {
  web: WebSiteManagementClient
  storage: StorageManagementClient
  resources: ResourceManagementClient
}

const ARM_SCOPE = 'https://management.azure.com/.default'

/**
 * The SDKs and the credential, loaded on first use so that importing
 * `cloudfn/azure` (or invoking, which is plain HTTPS) stays cheap. The SDKs'
 * own retries are off: cloudfn's policies (src/retry.ts) are the only ones,
 * each ARM request retried on its own (request-retry.ts) inside the
 * operation-level retry, so `Retry-After` is honoured once per request.
 */
export class AzureSdk {
  readonly #settings: CheckedSettings
  #credential: Promise<TokenCredential> | undefined
  #clients: Promise<AzureClients> | undefined

  constructor(settings: CheckedSettings) {
    this.#settings = settings
  }

  credential(): Promise<TokenCredential> {
    this.#credential ??= this.#settings.credential
      ? Promise.resolve(this.#settings.credential)
      : import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential())
    return this.#credential
  }

  clients(): Promise<AzureClients> {
    this.#clients ??= this.#load()
    this.#clients.catch(() => {
      this.#clients = undefined
    })
    return this.#clients
  }

  /** An ARM access token, for Kudu (scm) calls; never logged or put in errors. */
  async armToken(signal?: AbortSignal): Promise<string> {
    const credential = await this.credential()
    const token = await credential.getToken(ARM_SCOPE, { abortSignal: signal })
    if (!token) throw new Error('the credential returned no token for Azure Resource Manager')
    return token.token
  }

  async #load(): Promise<AzureClients> {
    const [credential, appService, storage, resources] = await Promise.all([
      this.credential(),
      import('@azure/arm-appservice'),
      import('@azure/arm-storage'),
      import('@azure/arm-resources'),
    ])
    // The SDKs' retries stay off; each request is retried on its own by cloudfn's request-level policy.
    const options = {
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy: requestRetryPolicy(), position: 'perRetry' as const }],
    }
    const { subscriptionId } = this.#settings
    return {
      web: new appService.WebSiteManagementClient(credential, subscriptionId, options),
      storage: new storage.StorageManagementClient(credential, subscriptionId, options),
      resources: new resources.ResourceManagementClient(credential, subscriptionId, options),
    }
  }
}

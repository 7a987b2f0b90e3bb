import { QUEUE_NAME_SETTING } from '../constants.ts'
import type { AppRuntime } from './app-runtime.ts'
import { BlobStore } from './blobs.ts'
import { EventGridState } from './eventgrid-state.ts'
import type { FunctionRegistration } from './protocol.ts'
import type { QueueState } from './queues.ts'

export interface ResourceGroupState {
  name: string
  location: string
  tags: Record<string, string>
}

export interface StorageAccountState {
  name: string
  resourceGroup: string
  location: string
  keys: [string, string]
  /** When the keys were made (listKeys reports it). */
  keysCreated?: string
  /**
   * 'Creating' from the PUT until its long-running operation ends (absent:
   * 'Succeeded'), as GET shows it to a poller (Microsoft.Storage ProvisioningState).
   */
  provisioningState?: 'Creating' | 'Succeeded'
  containers: Set<string>
  /** Storage queues by name (queue names are lower case). */
  queues: Map<string, QueueState>
  tags: Record<string, string>
}

export interface PlanState {
  name: string
  resourceGroup: string
  location: string
  sku: { name?: string; tier?: string }
  reserved: boolean
  kind: string | undefined
  tags: Record<string, string>
}

/** One OneDeploy publish, as Kudu reports it (status 0 pending … 3 failed, 4 success). */
export interface DeploymentState {
  id: string
  status: 0 | 1 | 2 | 3 | 4
  message: string
  sha256: string
  received: string
  done: Promise<void>
}

export interface SiteState {
  name: string
  resourceGroup: string
  location: string
  kind: string
  tags: Record<string, string>
  serverFarmId: string
  /** Raw ARM `functionAppConfig`, echoed back as sent. */
  functionAppConfig: Record<string, unknown>
  appSettings: Record<string, string>
  masterKey: string
  hostKey: string
  /** Function keys by function name, created when the host first lists the function. */
  functionKeys: Map<string, Record<string, string>>
  deployments: DeploymentState[]
  /** Folder of the unpacked active package, what the host indexed in it and the functions it put in error (by name). */
  app:
    | {
        directory: string
        entryFile: string
        routePrefix: string
        functions: FunctionRegistration[]
        functionErrors: Record<string, string>
      }
    | undefined
  /** Functions ARM lists: set when triggers are synced (and after a successful publish, as Flex does). */
  listedFunctions: FunctionRegistration[]
  /** Why the host is in error (it could not index the active package); absent when it runs. */
  hostError?: string | undefined
  /** The running function host, started on first use; a promise so concurrent calls share one. */
  runtime: Promise<AppRuntime> | undefined
  createdAt: string
  lastModified: string
}

export type SecretKind = 'storage' | 'masterKey' | 'hostKey' | 'functionKey'

/** Everything the emulator holds; tests and probes read it directly. */
export class AzureState {
  /** Makes the keys the emulator hands out (tests pass recognisable fakes to prove none leak). */
  readonly secret: (kind: SecretKind) => string
  /** Site names taken elsewhere in Azure (another subscription): creating one gives 409. */
  readonly foreignSiteNames = new Set<string>()
  readonly resourceGroups = new Map<string, ResourceGroupState>()
  readonly storageAccounts = new Map<string, StorageAccountState>()
  readonly plans = new Map<string, PlanState>()
  /** By lower-case name: site names are global. */
  readonly sites = new Map<string, SiteState>()
  /** Event Grid custom topics, their subscriptions and the events they dead-lettered (eventgrid*.ts). */
  readonly eventGrid = new EventGridState()
  /** Blobs of every account's containers (blob-service.ts; Event Grid's dead letters). */
  readonly blobs = new BlobStore()
  /**
   * Invocations that reached user code, by cloudfn function name (the app's
   * `cloudfn:name` tag; the app's name for apps cloudfn did not make), kept
   * after the app is removed, as on every emulator.
   */
  readonly executions = new Map<string, number>()
  /** Requests received (ARM, scm and function host), fault-injected ones included. */
  requestCount = 0
  /** Those of them that could change something: not GET or HEAD, nor an ARM `list…` action (POST listKeys, ...). */
  writeCount = 0
  readonly requestsByRoute = new Map<string, number>()

  /** Told when a site's functions or settings may have changed (or it went), so its triggers follow. */
  onSiteChange: (site: SiteState) => void = () => {}

  constructor(secret: (kind: SecretKind) => string) {
    this.secret = secret
  }

  /** The storage account of that name, in any resource group (account names are global). */
  storageAccount(name: string): StorageAccountState | undefined {
    for (const account of this.storageAccounts.values()) if (account.name === name) return account
    return undefined
  }

  record(route: string, write: boolean): void {
    this.requestCount++
    if (write) this.writeCount++
    this.requestsByRoute.set(route, (this.requestsByRoute.get(route) ?? 0) + 1)
  }

  countExecution(site: SiteState): void {
    const name = site.tags['cloudfn:name'] ?? site.name
    this.executions.set(name, (this.executions.get(name) ?? 0) + 1)
  }

  /**
   * Bodies (the JSON sent) of the messages the host moved to the poison queue
   * of a queue-triggered function (`<queue>-poison`, as the Functions host names it).
   */
  deadLetters(functionName: string): string[] {
    const site = this.siteForFunction(functionName)
    const queue = site?.appSettings[QUEUE_NAME_SETTING]
    const account = /AccountName=([^;]+)/.exec(site?.appSettings.AzureWebJobsStorage ?? '')?.[1] ?? ''
    const poison = queue ? this.storageAccount(account)?.queues.get(`${queue}-poison`) : undefined
    return (poison?.messages ?? []).map((message) => Buffer.from(message.text, 'base64').toString('utf8'))
  }

  site(name: string): SiteState | undefined {
    return this.sites.get(name.toLowerCase())
  }

  /** The app tagged with this cloudfn function name, if any. */
  siteForFunction(functionName: string): SiteState | undefined {
    for (const site of this.sites.values()) if (site.tags['cloudfn:name'] === functionName) return site
    return undefined
  }
}

export function key(...parts: string[]): string {
  return parts.map((part) => part.toLowerCase()).join('/')
}

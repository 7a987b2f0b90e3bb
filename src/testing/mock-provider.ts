import { deployedRecord } from '../deployed-record.ts'
import { collectFunctions } from '../gc.ts'
import type {
  CallOptions,
  DeployRequest,
  DeployResponse,
  FetchRequest,
  FunctionRecord,
  GcOptions,
  GcResult,
  InvokeRequest,
  InvokeResponse,
  LogEntry,
  LogsRequest,
  ProviderCapabilities,
  ProviderV1,
  PublishRequest,
  SendRequest,
} from '../provider.ts'

export const MOCK_CAPABILITIES: ProviderCapabilities = {
  asyncInvoke: true,
  triggers: {
    http: { auth: ['public', 'key', 'iam'] },
    schedule: { timezones: true },
    queue: { maxBatchSize: 10, maxRetries: { min: 0, max: 100 }, namedDeadLetter: true, maxMessageBytes: 512 },
    topic: { maxRetries: { min: 0, max: 100, default: 2 }, namedDeadLetter: true, maxMessageBytes: 512 },
  },
  logs: true,
  coldStartReport: false,
  memoryLimit: false,
  timeoutKills: false,
  maxRequestBytes: 1024,
  maxResponseBytes: 1024,
  maxAsyncRequestBytes: 512,
  memoryMb: { min: 128, max: 2048 },
  timeoutSec: { min: 1, max: 900 },
}

export interface MockProviderOptions {
  name?: string
  capabilities?: Partial<ProviderCapabilities>
  providerOptionKeys?: readonly string[]
  doDeploy?: (request: DeployRequest, options: CallOptions) => Promise<DeployResponse>
  doInvoke?: (request: InvokeRequest, options: CallOptions) => Promise<InvokeResponse>
  doInvokeAsync?: (request: InvokeRequest, options: CallOptions) => Promise<{ executionId: string }>
  doLogs?: (request: LogsRequest, options: CallOptions) => Promise<LogEntry[]>
  doRemove?: (name: string, options: CallOptions) => Promise<{ removed: boolean }>
  doGc?: (options: GcOptions, callOptions: CallOptions) => Promise<GcResult>
  /** Default: 200 with `{ method, url }` of the request as JSON. */
  doFetch?: (request: FetchRequest, options: CallOptions) => Promise<Response>
  /** Default: keeps the message in `sent` and answers a numbered id. */
  doSend?: (request: SendRequest, options: CallOptions) => Promise<{ messageId: string }>
  /** Default: keeps the message in `published` and answers a numbered id (any topic name is accepted). */
  doPublish?: (request: PublishRequest, options: CallOptions) => Promise<{ messageId: string }>
  /** Optional packages a deploy needs; default: none. */
  requiredPackages?: ProviderV1['requiredPackages']
}

export interface MockProvider extends ProviderV1 {
  /** Every `do*` call in order, as `[method, first argument]`. */
  readonly calls: Array<[string, unknown]>
  readonly records: Map<string, FunctionRecord>
  /** Messages the default `doSend` received, in order. */
  readonly sent: SendRequest[]
  /** Messages the default `doPublish` received, in order. */
  readonly published: PublishRequest[]
}

/** An envelope as a shim would send it, for mock `doInvoke` implementations. */
export function mockEnvelope(value: unknown, executionId = 'mock-execution'): InvokeResponse {
  return { envelope: JSON.stringify({ ok: true, value, meta: { coldStart: false, durationMs: 0, executionId } }) }
}

/**
 * A provider that keeps records in memory and echoes invocations, with any
 * method replaceable. For testing code written against cloudfn, and cloudfn's
 * own client, without a backend.
 */
export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  const name = options.name ?? 'mock'
  const calls: Array<[string, unknown]> = []
  const records = new Map<string, FunctionRecord>()
  const sent: SendRequest[] = []
  const published: PublishRequest[] = []
  const defaultDeploy = async (request: DeployRequest): Promise<DeployResponse> => {
    const existing = records.get(request.name)
    const record = deployedRecord(request, {
      provider: name,
      codeHash: request.artifact?.sha256 ?? 'inline',
      url: request.trigger?.kind === 'http' ? `https://${request.name}.${name}.invalid/` : undefined,
      updatedAt: new Date(0).toISOString(),
    })
    records.set(request.name, record)
    return { record, status: existing ? 'updated' : 'created', warnings: [] }
  }
  /** The default send or publish: keeps the request in `list` and answers with its number as the message id. */
  const keepIn =
    <T>(list: T[], idPrefix: string) =>
    async (request: T) => {
      list.push(request)
      return { messageId: `${idPrefix}-${list.length}` }
    }
  const recorded =
    <A, R>(method: string, fn: (arg: A, callOptions: CallOptions) => Promise<R>) =>
    (arg: A, callOptions: CallOptions) => {
      calls.push([method, arg])
      return fn(arg, callOptions)
    }
  const provider: MockProvider = {
    specificationVersion: 'v1',
    name,
    capabilities: { ...MOCK_CAPABILITIES, ...options.capabilities },
    providerOptionKeys: options.providerOptionKeys ?? [],
    requiredPackages: options.requiredPackages,
    calls,
    records,
    sent,
    published,
    doDeploy: recorded('doDeploy', options.doDeploy ?? defaultDeploy),
    doGet: recorded('doGet', async (fnName: string) => records.get(fnName)),
    doList: async () => {
      calls.push(['doList', undefined])
      return [...records.values()]
    },
    doInvoke: recorded('doInvoke', options.doInvoke ?? (async (request) => mockEnvelope(JSON.parse(request.payload)))),
    doInvokeAsync: recorded('doInvokeAsync', options.doInvokeAsync ?? (async () => ({ executionId: 'mock-async' }))),
    doLogs: recorded('doLogs', options.doLogs ?? (async () => [])),
    doRemove: recorded('doRemove', options.doRemove ?? (async (fnName: string) => ({ removed: records.delete(fnName) }))),
    doFetch: recorded(
      'doFetch',
      options.doFetch ?? (async ({ request }: FetchRequest) => Response.json({ method: request.method, url: request.url })),
    ),
    doSend: recorded('doSend', options.doSend ?? keepIn(sent, 'mock-message')),
    doPublish: recorded('doPublish', options.doPublish ?? keepIn(published, 'mock-published')),
    doGc: recorded(
      'doGc',
      options.doGc ?? ((gcOptions: GcOptions, callOptions: CallOptions) => collectFunctions(provider, gcOptions, callOptions)),
    ),
  }
  return provider
}

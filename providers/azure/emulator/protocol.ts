/** Messages between the emulated function host (main thread) and its worker (host.ts). */

/** Marks workers started by the Azure emulator, so the host script refuses other callers. */
export const AZURE_HOST_MARK = 'cloudfn-azure-emulator-host'

export interface HostWorkerData {
  mark: typeof AZURE_HOST_MARK
  /** Absolute path of the app's entry file (package.json `main`). */
  entryFile: string
  /** Folder the app was unpacked into (the host's script root). */
  appDirectory: string
}

/** A function the app registered through `@azure/functions`, by its trigger binding. */
export type FunctionRegistration =
  | { kind: 'http'; name: string; route: string; methods: string[]; authLevel: string }
  | { kind: 'timer'; name: string; schedule: string }
  | { kind: 'queue'; name: string; queueName: string; connection: string }
  | { kind: 'eventGrid'; name: string }

/**
 * Typed data as the host sends a trigger's input and metadata over its RPC
 * channel (the host's ToRpc: strings as `string`, integers as `int`, other
 * values as `json`).
 */
export type RpcData = { string: string } | { json: string } | { int: number }

export interface HostHttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  query: Record<string, string>
  body: Uint8Array
}

export interface HostHttpResponse {
  status: number
  /** In order; a header the function set twice (`set-cookie`) appears twice. */
  headers: Array<[string, string]>
  body: Uint8Array
}

export type HostMessage =
  | { kind: 'index' }
  | { kind: 'invoke'; functionName: string; invocationId: string; request: HostHttpRequest }
  /** A timer or queue invocation; the reply is `done` or `failure`. */
  | {
      kind: 'trigger'
      functionName: string
      invocationId: string
      data: RpcData
      /** The trigger's binding data (a queue message's id, dequeueCount, times ...). */
      triggerMetadata?: Record<string, RpcData>
    }

export type HostReply =
  /** The functions the emulator can run, and every registered function's binding types (trigger first). */
  | { kind: 'index'; functions: FunctionRegistration[]; bindingTypes: Record<string, string[]> }
  | { kind: 'done' }
  | { kind: 'response'; response: HostHttpResponse }
  /** The app failed to load or the invocation failed inside the host: the host answers 500. */
  | { kind: 'failure'; error: { name: string; message: string } }

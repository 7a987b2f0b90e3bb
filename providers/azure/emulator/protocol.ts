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

/** An HTTP function the app registered through `@azure/functions`. */
export interface HttpRegistration {
  name: string
  route: string
  methods: string[]
  authLevel: string
}

export interface HostHttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  query: Record<string, string>
  body: Uint8Array
}

export interface HostHttpResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

export type HostMessage =
  | { kind: 'index' }
  | { kind: 'invoke'; functionName: string; invocationId: string; request: HostHttpRequest }

export type HostReply =
  | { kind: 'index'; functions: HttpRegistration[] }
  | { kind: 'response'; response: HostHttpResponse }
  /** The app failed to load or the invocation failed inside the host: the host answers 500. */
  | { kind: 'failure'; error: { name: string; message: string } }

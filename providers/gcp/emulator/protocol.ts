/**
 * An HTTP request as the emulator hands it to a function instance, and its
 * answer. Bodies are base64 so binary survives the trip to the worker; headers
 * are in order with repeats kept, as Node's `rawHeaders` has them.
 */
export interface HostRequest {
  method: string
  path: string
  /** Alternating names and values. */
  rawHeaders: string[]
  body: string
}

export interface HostReply {
  status: number
  headers: Array<[string, string]>
  body: string
}

/**
 * Cloud Run's default startup probe: a revision is ready once its container
 * listens on PORT (https://cloud.google.com/run/docs/configuring/healthchecks#tcp-startup-probe).
 * The instance answers it once the framework serves, without running the function.
 */
export interface StartupProbe {
  kind: 'startup-probe'
}

export type HostMessage = HostRequest | StartupProbe

/** The probe's answer: the port is open. */
export const PROBE_OK: HostReply = { status: 0, headers: [], body: '' }

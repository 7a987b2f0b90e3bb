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

/** An HTTP request as the emulator hands it to a function instance, and its answer. */
export interface HostRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

export interface HostReply {
  status: number
  headers: Record<string, string>
  body: string
}

/** Messages between a sandbox host (main thread) and the script in its worker. */
export interface SandboxRequest<M> {
  id: number
  message: M
}

export interface SandboxReply<R> {
  id: number
  result: R
}

/** Messages between the emulator (main thread) and its host script in an instance's process. */
export interface HostData {
  /** Folder holding the unpacked zip. */
  codeDir: string
  /** Lambda's handler setting, `file.export` (e.g. `index.handler`). */
  handler: string
}

export interface HostRequest {
  /** The request payload, JSON text. */
  event: string
  requestId: string
  /** Epoch ms at which Lambda stops the function. */
  deadline: number
  functionName: string
  invokedFunctionArn: string
  memoryLimitInMB: string
  logGroupName: string
  logStreamName: string
}

interface HostReplyBase {
  /** What the function wrote to stdout and stderr during this execution (and its init, on a cold start). */
  output: string
  /** Time spent importing the code, on a cold start. */
  initMs?: number | undefined
  heapMb: number
}

export type HostReply =
  | (HostReplyBase & { ok: true; body: string })
  | (HostReplyBase & { ok: false; errorType: string; errorMessage: string; trace: string[] })

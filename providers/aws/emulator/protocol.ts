/** Messages between the emulator (main thread) and its host script in an instance's process. */
export interface HostData {
  /** Folder holding the unpacked zip. */
  codeDir: string
  /** Lambda's handler setting, `file.export` (e.g. `index.handler`). */
  handler: string
  /** The Runtime setting (nodejs22.x, ...): which runtime client's behaviour the host reproduces. */
  runtime: string
  /** Lambda's Init phase budget in seconds (10 for on-demand functions); smaller only in tests. */
  initTimeoutSec?: number | undefined
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
  /** The X-Ray trace header Lambda passes (Lambda-Runtime-Trace-Id). */
  traceId: string
  /** A file the host appends the invocation's output to as it is written: read when no reply comes (timeout, exit). */
  logFile?: string | undefined
  /** The caller's client context, JSON text (the Invoke API's X-Amz-Client-Context, decoded). */
  clientContext?: string | undefined
}

interface HostReplyBase {
  /** What the function wrote to stdout and stderr during this execution (and its init, on a cold start). */
  output: string
  /** Time spent importing the code, on a cold start. */
  initMs?: number | undefined
  heapMb: number
}

/** `body` is what the runtime posts: the serialised result, or (`ok: false`) the error JSON. */
export type HostReply = HostReplyBase & { ok: boolean; body: string }

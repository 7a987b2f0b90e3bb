import { OutOfMemoryError } from '../../src/errors/out-of-memory.ts'
import { PayloadTooLargeError } from '../../src/errors/payload-too-large.ts'
import { TimeoutError } from '../../src/errors/timeout.ts'
import type { InvokeRequest, InvokeResponse, LogEntry } from '../../src/provider.ts'
import { failureEnvelope } from '../../src/runtime/envelope.ts'
import { AWS_LIMITS } from './capabilities.ts'
import { type AwsContext, awsCall } from './context.ts'
import { parseLogLine } from './log-format.ts'
import { billedMsFromTail } from './report-line.ts'
import { getConfiguration } from './wait.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Lambda's answer when the function failed outside the shim (timeout, crash, init error). */
interface LambdaFunctionError {
  errorType?: string
  errorMessage?: string
  trace?: string[]
  stackTrace?: string[]
}

export async function invokeSync(context: AwsContext, request: InvokeRequest, signal?: AbortSignal): Promise<InvokeResponse> {
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.InvokeCommand({
    FunctionName: request.name,
    InvocationType: 'RequestResponse',
    Payload: encoder.encode(request.payload),
    // Always: the tail's REPORT line is the only place Lambda says the billed duration (meta.billedMs).
    LogType: 'Tail',
  })
  const output = await awsCall(
    { operation: 'invoke', resource: request.name, phase: 'invoke', requestLimitBytes: AWS_LIMITS.syncRequestBytes },
    () => client.send(command, { abortSignal: signal }),
  )
  const body = output.Payload ? decoder.decode(output.Payload) : ''
  const requestId = output.$metadata.requestId ?? ''
  const tail = output.LogResult ? Buffer.from(output.LogResult, 'base64').toString('utf8') : ''
  const logs = request.includeLogs ? tailEntries(tail, requestId) : undefined
  const billedMs = billedMsFromTail(tail, requestId)
  if (!output.FunctionError) return { envelope: body, logs, billedMs }
  return { envelope: await platformFailure(context, request.name, body, requestId), logs, billedMs }
}

export async function invokeAsync(
  context: AwsContext,
  request: InvokeRequest,
  signal?: AbortSignal,
): Promise<{ executionId: string }> {
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.InvokeCommand({
    FunctionName: request.name,
    InvocationType: 'Event',
    Payload: encoder.encode(request.payload),
  })
  // Lambda queues the event: a 202 means it was accepted and nothing ran yet. Mapped as an
  // invocation, so a function not ready to take it (an update in progress) is retried like a sync call.
  const output = await awsCall(
    { operation: 'invokeAsync', resource: request.name, phase: 'invoke', requestLimitBytes: AWS_LIMITS.asyncRequestBytes },
    () => client.send(command, { abortSignal: signal }),
  )
  return { executionId: output.$metadata.requestId ?? '' }
}

/**
 * Lambda's own failures become the matching cloudfn error; anything else that
 * failed outside the shim (an init error, a crash) becomes a failure envelope,
 * so the core raises FunctionError with the remote name and message.
 */
async function platformFailure(context: AwsContext, name: string, body: string, requestId: string): Promise<string> {
  let failure: LambdaFunctionError
  try {
    failure = JSON.parse(body) as LambdaFunctionError
  } catch {
    failure = { errorType: 'Error', errorMessage: body }
  }
  const type = failure.errorType ?? ''
  const message = failure.errorMessage ?? ''
  const timedOut = /Task timed out after ([\d.]+) seconds/.exec(message)
  if (type === 'Sandbox.Timedout' || timedOut) {
    // A caller allowed only to invoke cannot read the configuration: a Timeout it stays.
    const timeoutSec = timedOut
      ? Math.round(Number(timedOut[1]))
      : ((await getConfiguration(context, name).catch(() => undefined))?.Timeout ?? 0)
    throw new TimeoutError({
      provider: 'aws',
      timeoutSec,
      message: `Function '${name}' timed out after ${timeoutSec} s; raise timeoutSec or make it faster`,
    })
  }
  if (type === 'Runtime.OutOfMemory') {
    // Lambda's answer does not say the limit; one lookup on this rare path does.
    const memoryMb = (await getConfiguration(context, name).catch(() => undefined))?.MemorySize ?? 0
    throw new OutOfMemoryError({
      provider: 'aws',
      memoryMb,
      message: `Function '${name}' ran out of memory (limit ${memoryMb} MB); raise memoryMb or use less`,
    })
  }
  if (type === 'Function.ResponseSizeTooLarge') {
    throw new PayloadTooLargeError({
      provider: 'aws',
      direction: 'response',
      limitBytes: AWS_LIMITS.syncResponseBytes,
      message: `The response of '${name}' is larger than Lambda allows (${message}). Return less data, or store it elsewhere and return a reference.`,
    })
  }
  const trace = failure.trace ?? failure.stackTrace
  return failureEnvelope(
    { name: type || 'Error', message, stack: trace ? trace.join('\n') : undefined },
    { coldStart: false, durationMs: 0, executionId: requestId },
  )
}

/** The log lines of this execution from `X-Amz-Log-Result` (base64 of the last 4 KB). */
function tailEntries(text: string, requestId: string): LogEntry[] {
  const entries: LogEntry[] = []
  for (const line of text.split('\n')) {
    const entry = parseLogLine(line)
    if (entry && entry.executionId === requestId) entries.push(entry)
  }
  return entries
}

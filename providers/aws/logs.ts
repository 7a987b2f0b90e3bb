import { NotFoundError } from '../../src/errors/not-found.ts'
import type { LogEntry, LogsRequest } from '../../src/provider.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { isPlatformLine, parseLogLine } from './log-format.ts'
import { getConfiguration } from './wait.ts'

/** Upper bound on events read per call, so a chatty function cannot exhaust memory. */
const MAX_EVENTS = 10_000

export function logGroupOf(name: string): string {
  return `/aws/lambda/${name}`
}

/** The function's log lines from CloudWatch Logs, oldest first; platform lines (START, REPORT, ...) are left out. */
export async function readLogs(context: AwsContext, request: LogsRequest, signal?: AbortSignal): Promise<LogEntry[]> {
  const { client, sdk } = await context.clients.logs()
  const at = control('logs', request.name)
  const since = request.since === undefined ? undefined : Date.parse(request.since)
  const entries: LogEntry[] = []
  let nextToken: string | undefined
  let read = 0
  try {
    do {
      const command = new sdk.FilterLogEventsCommand({ logGroupName: logGroupOf(request.name), startTime: since, nextToken })
      const page = await awsCall(at, () => client.send(command, { abortSignal: signal }))
      for (const event of page.events ?? []) {
        const entry = toEntry(event.message ?? '', event.timestamp)
        if (entry && (request.since === undefined || entry.timestamp >= request.since)) entries.push(entry)
      }
      read += page.events?.length ?? 0
      nextToken = page.nextToken
    } while (nextToken && read < MAX_EVENTS)
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
    // No log group yet: a function that never ran has none.
    if (await getConfiguration(context, request.name, signal)) return []
    throw new NotFoundError({
      provider: 'aws',
      resource: request.name,
      message: `Function '${request.name}' is not deployed on aws; deploy it first`,
    })
  }
  return request.limit === undefined ? entries : entries.slice(-request.limit)
}

/** A line the shim wrote, or other output of the function (raw stdout writes); platform lines are left out. */
function toEntry(message: string, timestamp: number | undefined): LogEntry | undefined {
  const parsed = parseLogLine(message)
  if (parsed) return parsed
  const text = message.replace(/\n$/, '')
  if (text === '' || isPlatformLine(text)) return undefined
  return { timestamp: new Date(timestamp ?? 0).toISOString(), executionId: '', level: 'log', message: text }
}

export async function deleteLogGroup(context: AwsContext, name: string): Promise<void> {
  const { client, sdk } = await context.clients.logs()
  try {
    await awsCall(control('remove', name), () => client.send(new sdk.DeleteLogGroupCommand({ logGroupName: logGroupOf(name) })))
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
  }
}

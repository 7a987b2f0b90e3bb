import type { LogEntry, LogsRequest } from '../../src/provider.ts'
import type { LocalContext } from './context.ts'

/** The function's logs, from disk when persisted (other processes write there too). */
export async function readLogs(context: LocalContext, request: LogsRequest): Promise<LogEntry[]> {
  await context.deploymentOf(request.name)
  const { persistence, store } = context
  const all = persistence ? await persistence.logs(request.name) : (store.logs.get(request.name) ?? [])
  const entries = all.filter((entry) => !request.since || entry.timestamp >= request.since)
  return request.limit === undefined ? [...entries] : entries.slice(-request.limit)
}

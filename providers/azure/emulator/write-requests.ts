import type { SetupServer } from 'msw/node'

/**
 * Counts, from msw's own request events (not the code under test), the
 * requests to Azure that could change something, for the conformance probe's
 * `writeCount` (a plan or a dry run must send none). Azure reads with GET or
 * HEAD, and with POST actions named `list…` that return settings or keys and
 * change nothing (`config/appsettings/list`, `listKeys`, `listFunctionKeys`:
 * the ARM resource provider contract's "list" actions,
 * https://github.com/cloud-and-ai-microsoft/resource-provider-contract/blob/master/v1.0/proxy-api-reference.md#resource-actions);
 * anything else counts as a write.
 */
export function countWrites(server: SetupServer): () => number {
  let writes = 0
  server.events.on('request:start', ({ request }) => {
    if (!isRead(request.method, new URL(request.url).pathname)) writes++
  })
  return () => writes
}

function isRead(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return true
  return method === 'POST' && /\/list[A-Za-z]*$/i.test(path)
}

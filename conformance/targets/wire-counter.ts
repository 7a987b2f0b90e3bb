import { subscribe, unsubscribe } from 'node:diagnostics_channel'

/**
 * Counts the HTTP requests this process starts to matching hosts, through
 * Node's diagnostics channels (node:http and fetch/undici alike), so a real
 * cloud target's probe can prove that nothing was sent without asking the
 * code under test.
 */
export function countRequests(matches: (host: string) => boolean): { count(): number; stop(): void } {
  let count = 0
  const onHttp = (message: unknown) => {
    const request = (message as { request?: { host?: string } }).request
    if (matches(request?.host ?? '')) count++
  }
  const onFetch = (message: unknown) => {
    const origin = (message as { request?: { origin?: string } }).request?.origin ?? ''
    if (matches(URL.canParse(origin) ? new URL(origin).hostname : origin)) count++
  }
  subscribe('http.client.request.start', onHttp)
  subscribe('undici:request:create', onFetch)
  return {
    count: () => count,
    stop: () => {
      unsubscribe('http.client.request.start', onHttp)
      unsubscribe('undici:request:create', onFetch)
    },
  }
}

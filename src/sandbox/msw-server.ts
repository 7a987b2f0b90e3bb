import type { RequestHandler } from 'msw'
import { type SetupServer, setupServer } from 'msw/node'
import { assertSupportedNode } from '../node-version.ts'

// Every emulator loads this module; on an old Node they failed later with errors that blamed the network.
assertSupportedNode()

/**
 * The one msw server an emulator starts on `listen()`: its handlers only, and
 * unhandled requests fail rather than reach the network. msw 3 names the
 * option `onUnhandledFrame`; the msw 2 name for it is silently
 * ignored there, so it is set here, once, for every emulator.
 */
export function emulatorServer(handlers: readonly RequestHandler[]): { listen(): SetupServer; close(): void } {
  let server: SetupServer | undefined
  return {
    listen() {
      if (server) return server
      server = setupServer(...handlers)
      server.listen({ onUnhandledFrame: refuseUnhandled })
      watchSlowRequests(server)
      return server
    },
    close() {
      if (server) slowWatches.get(server)?.()
      server?.close()
      server = undefined
    },
  }
}

/**
 * msw's own 'error' strategy prints the request body, which holds a refresh
 * token or client secret when a default credential chain made the request:
 * say the method and URL (no query string) only, and fail the request.
 */
function refuseUnhandled({ frame }: { frame: { data: unknown } }): never {
  const request = (frame.data as { request?: unknown }).request
  const where = request instanceof Request ? `${request.method} ${request.url.split('?')[0]}` : 'a WebSocket connection'
  const message = `cloudfn emulator: no handler for ${where}; it was not sent to the network`
  console.error(message)
  // A network error, as the 'error' strategy gives (a thrown Error would become msw's own 500 answer).
  if (request instanceof Request) throw Response.error()
  throw new Error(message)
}

/** How long a request may go unanswered before the emulator says so (it is still answered whenever it can be). */
const SLOW_REQUEST_MS = 60_000
const slowWatches = new WeakMap<SetupServer, () => void>()

/**
 * Names each request still unanswered after a minute on stderr, once: a test
 * that then meets its hang guard says which call it waited on (a deploy's
 * poll, an upload, an invoke) instead of only that it timed out.
 */
function watchSlowRequests(server: SetupServer): void {
  const open = new Map<string, { what: string; since: number; told: boolean }>()
  server.events.on('request:start', ({ request, requestId }) => {
    open.set(requestId, { what: `${request.method} ${request.url.split('?')[0]}`, since: Date.now(), told: false })
  })
  server.events.on('request:end', ({ requestId }) => {
    open.delete(requestId)
  })
  // A handler that threw ends the request without 'request:end'. Listening here stops msw printing the error
  // itself (it does only when nobody listens), so it is printed as msw would.
  server.events.on('unhandledException', ({ requestId, error }) => {
    open.delete(requestId)
    console.error(error)
  })
  const timer = setInterval(() => {
    const now = Date.now()
    for (const request of open.values()) {
      if (request.told || now - request.since < SLOW_REQUEST_MS) continue
      request.told = true
      process.emitWarning(
        `${request.what} has had no answer for ${Math.round((now - request.since) / 1000)} s`,
        'CloudfnEmulatorWarning',
      )
    }
  }, SLOW_REQUEST_MS / 4)
  timer.unref()
  slowWatches.set(server, () => clearInterval(timer))
}

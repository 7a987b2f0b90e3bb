/**
 * "The event loop is empty", as Lambda's 3.x runtime sees it through
 * `process.on('beforeExit')`: it answers a callback handler then (unless
 * context.callbackWaitsForEmptyEventLoop is false), answers null for a handler
 * that neither returned a promise nor called back, and fails an async handler
 * whose promise never settled (aws-lambda-ric 3.x src/Runtime.js,
 * CallbackContext.js). A worker never reaches beforeExit (its message port
 * keeps it alive), so this counts the handles the function's code opened
 * (timers, immediates, sockets, file system and DNS requests) with async_hooks
 * and reports when none that keeps Node running is left.
 */
import { createHook } from 'node:async_hooks'

const COUNTED = new Set([
  'Timeout',
  'Immediate',
  'TCPWRAP',
  'TCPCONNECTWRAP',
  'PIPEWRAP',
  'PIPECONNECTWRAP',
  'UDPWRAP',
  'FSREQCALLBACK',
  'FSREQPROMISE',
  'FSEVENTWRAP',
  'STATWATCHER',
  'GETADDRINFOREQWRAP',
  'GETNAMEINFOREQWRAP',
  'QUERYWRAP',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
  'ZLIB',
  'PROCESSWRAP',
  'SIGNALWRAP',
])

// In a process of its own (src/sandbox/process-sandbox.ts) stdout and stderr
// are pipes Node opens on first use: opened now, before counting starts, so a
// function's first console.log does not count as a handle it left open.
void process.stdout
void process.stderr

const live = new Map<number, { hasRef?: () => boolean }>()
/** Off until the host has set itself up: its own pipes and channel are not the function's. */
let tracking = false
let onChange: (() => void) | undefined

createHook({
  init(id, type, _trigger, resource) {
    if (tracking && COUNTED.has(type)) live.set(id, resource as { hasRef?: () => boolean })
  },
  destroy(id) {
    if (live.delete(id)) onChange?.()
  },
}).enable()

/** Counts what is opened from now on (the function's code, from its import on). */
export function startTracking(): void {
  tracking = true
}

/** Runs `work` without counting what it opens (the host's own timers). */
function untracked<T>(work: () => T): T {
  const before = tracking
  tracking = false
  try {
    return work()
  } finally {
    tracking = before
  }
}

function busy(): boolean {
  for (const resource of live.values()) {
    // Unreferenced timers and idle keep-alive sockets do not keep Node running.
    if (typeof resource.hasRef !== 'function' || resource.hasRef()) return true
  }
  return false
}

/**
 * Resolves true once nothing the function opened keeps the event loop
 * running, or false as soon as `stop()` says the wait no longer matters.
 */
export function loopEmpty(stop: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false
    const finish = (empty: boolean) => {
      settled = true
      onChange = undefined
      clearInterval(poll)
      resolve(empty)
    }
    const check = () => {
      if (settled) return
      if (stop()) return finish(false)
      // After the callbacks of this turn ran (they may open more).
      untracked(() =>
        setImmediate(() => {
          if (settled) return
          if (stop()) finish(false)
          else if (!busy()) finish(true)
        }),
      )
    }
    onChange = check
    // Unref-ing a timer sends no event: look again now and then.
    const poll: NodeJS.Timeout = untracked(() => setInterval(check, 25))
    check()
  })
}

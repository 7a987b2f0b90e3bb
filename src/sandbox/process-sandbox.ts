import { type ChildProcess, fork } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { OutOfMemoryError } from '../errors/out-of-memory.ts'
import { packageFile, packageRoot } from '../package/package-root.ts'
import type { RemoteError } from '../runtime/envelope.ts'
import { outputsClosed } from './child-outputs.ts'
import { compileHostScript } from './host-script.ts'
import { InstancePool } from './instance-pool.ts'
import type { ProcessInit, ProcessSignal, SandboxReply, SandboxRequest } from './protocol.ts'
import { pooledSandbox, type Sandbox, type SandboxOutcome, type SandboxSettings, UNDELIVERED } from './sandbox.ts'

export type { Sandbox, SandboxOutcome, SandboxSettings } from './sandbox.ts'

export interface ProcessSandboxSettings extends SandboxSettings {
  /**
   * Working directory of every instance: the unpacked artifact, as Lambda
   * runs code in its task root (/var/task), Cloud Run functions in /workspace
   * and Azure Functions in the app's wwwroot.
   */
  cwd: string
  /**
   * `TZ` of the instances when `env` has none (default `UTC`): every cloud
   * runs functions in UTC (Lambda sets `TZ=:UTC`), whatever the test
   * process's time zone.
   */
  tz?: string
  /** Requests one instance takes at once (default 1, see `PoolOptions.concurrency`). */
  concurrency?: number
  /**
   * Bound on starting an instance (spawning its process and loading its
   * script), kept apart from `timeoutSec` as a cloud keeps start-up out of the
   * request's time. Only a hang guard (default 120 s): a busy machine must
   * not turn a cold start into a failure.
   */
  startupTimeoutSec?: number
}

type Death = { kind: 'oom' } | { kind: 'crash'; error: RemoteError }

interface Pending<R> {
  coldStart: boolean
  /** The instance acknowledged it (serve.ts): from then on its end is the request's crash. */
  received: boolean
  resolve: (outcome: SandboxOutcome<R> | typeof UNDELIVERED) => void
  reject: (error: unknown) => void
}

interface ProcessInstance<R> {
  child: ChildProcess
  requests: number
  pending: Map<number, Pending<R>>
  /** The error the instance reported before exiting (failed load, uncaught exception). */
  fatal?: RemoteError
  /** The last few KB of stderr: V8 writes its out-of-memory message there, not through `process.stderr`. */
  stderrTail: string
  exited: boolean
  /** It loaded and said so: an instance that ends before that failed its own start, which is the request's error. */
  served: boolean
  /** Why it is gone, once its exit is understood. */
  death?: Death
  /** Resolves once the process is gone and its requests settled. */
  gone: Promise<void>
  ready: () => void
}

/**
 * Instances starting at once in this process, across sandboxes. Fifty cold
 * starts at once on two cores each took over 30 s (every process loading the
 * same framework); in turns of a few, each start is quick and the total is no
 * longer. A request waiting here counts as its instance's start, not its time.
 */
const STARTS_AT_ONCE = Math.max(2, availableParallelism())
/** How long a start may take before the sandbox says so (it still waits up to the startup timeout). */
const SLOW_START_MS = 30_000
let starting = 0
const waitingToStart: Array<() => void> = []

async function startSlot(): Promise<() => void> {
  if (starting >= STARTS_AT_ONCE) await new Promise<void>((resolve) => waitingToStart.push(resolve))
  else starting++
  let released = false
  return () => {
    if (released) return
    released = true
    const next = waitingToStart.shift()
    if (next) next()
    else starting--
  }
}

/**
 * On POSIX each instance leads a process group of its own (`detached`), so one
 * kill of the group ends the instance and every process its function spawned
 * (a `sleep 1000`, a browser, a server), as a cloud ends an execution
 * environment or container with all it holds. Windows has no process groups
 * to signal; there only the instance itself is killed.
 */
const OWN_GROUP = process.platform !== 'win32'

/** SIGKILLs the instance's process group (everything still in it, even once the instance itself has exited). */
function killGroup(pid: number | undefined): boolean {
  if (!OWN_GROUP || pid === undefined) return false
  try {
    process.kill(-pid, 'SIGKILL')
    return true
  } catch {
    return false // the group is empty: nothing left to end
  }
}

/** Ends an instance and what it spawned. */
function killInstance(child: ChildProcess): void {
  if (!killGroup(child.pid)) child.kill('SIGKILL')
}

/** Children alive, killed if this process exits first (they also exit when their IPC channel closes). */
const live = new Set<ChildProcess>()
let exitHook = false

function bootstrapScript(): Promise<string> {
  return compileHostScript(packageFile('src/sandbox/process-bootstrap.ts'))
}

/** Node's message when V8 hits the heap limit (`--max-old-space-size`) and aborts. */
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit/
/** What V8 prints first when it gives up on the heap. */
const V8_FATAL_DUMP = '<--- Last few GCs --->'

/** Whether the parent's event loop waits for this instance: while it runs requests, not while idle. */
function hold(child: ChildProcess, on: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as Array<
    { ref?: () => void; unref?: () => void } | null | undefined
  >
  for (const handle of handles) (on ? handle?.ref : handle?.unref)?.call(handle)
}

/**
 * Runs code in child processes the way a cloud runs instances: each instance
 * is a process of the same Node.js binary with its own working directory,
 * time zone and environment (only what the caller gives, nothing of the test
 * process), the memory limit as V8's heap limit, a cold start for each new
 * process outside the request's time (a ready handshake), and the timeout
 * enforced by killing the process. Speaks the worker sandbox's protocol
 * (`serveSandbox`, `workerData`), so an emulator host script runs unchanged in
 * either.
 */
export function createProcessSandbox<M, R>(settings: ProcessSandboxSettings): Sandbox<M, R> {
  const startupMs = (settings.startupTimeoutSec ?? 120) * 1000
  const env: Record<string, string> = { TZ: settings.tz ?? 'UTC', ...settings.env }
  // Windows cannot load some system libraries without it.
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot ??= process.env.SystemRoot

  const outOfMemory = () =>
    new OutOfMemoryError({
      provider: settings.provider,
      memoryMb: settings.memoryMb,
      message: `Function '${settings.name}' ran out of memory (limit ${settings.memoryMb} MB); raise memoryMb or use less`,
    })

  const settle = (pending: Pending<R>, death: Death) => {
    if (death.kind === 'oom') pending.reject(outOfMemory())
    else pending.resolve({ kind: 'crash', error: death.error, coldStart: pending.coldStart })
  }

  const start = async (): Promise<ProcessInstance<R>> => {
    const bootstrap = await bootstrapScript()
    const slow = setTimeout(() => {
      process.emitWarning(
        `'${settings.name}' has waited ${SLOW_START_MS / 1000} s for a turn to start an instance (${starting} starting, ${waitingToStart.length} waiting)`,
        'CloudfnSandboxWarning',
      )
    }, SLOW_START_MS)
    slow.unref()
    const release = await startSlot().finally(() => clearTimeout(slow))
    try {
      return await spawnInstance(bootstrap)
    } finally {
      release()
    }
  }

  const spawnInstance = async (bootstrap: string): Promise<ProcessInstance<R>> => {
    const child = fork(bootstrap, [], {
      cwd: settings.cwd,
      env,
      // Not the test process's flags (loaders, inspector): a cloud's runtime starts plain Node.
      execArgv: [`--max-old-space-size=${settings.memoryMb}`],
      // Structured clone, as a worker's postMessage: bytes stay Uint8Array.
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Leader of a process group of its own: see OWN_GROUP.
      detached: OWN_GROUP,
    })
    live.add(child)
    if (!exitHook) {
      exitHook = true
      process.once('exit', () => {
        for (const running of live) killInstance(running)
      })
    }
    let markReady = () => {}
    const readyOrGone = new Promise<void>((resolve) => {
      markReady = resolve
    })
    const instance: ProcessInstance<R> = {
      child,
      requests: 0,
      pending: new Map(),
      stderrTail: '',
      exited: false,
      served: false,
      gone: Promise.resolve(),
      ready: markReady,
    }
    // Output goes where a worker's would, the host's stdout and stderr.
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk))
    child.stderr?.on('data', (chunk: Buffer) => {
      instance.stderrTail = (instance.stderrTail + chunk.toString('utf8')).slice(-4096)
      // V8's heap dump before an out-of-memory abort is reported as OutOfMemoryError instead, as a worker's is.
      if (instance.stderrTail.includes(V8_FATAL_DUMP)) return
      process.stderr.write(chunk)
    })
    const init: ProcessInit = {
      type: 'init',
      file: settings.workerFile,
      data: settings.workerData,
      compileCacheDir: join(packageRoot(), 'node_modules', '.cache', 'cloudfn-compile'),
    }
    // Sent once, when the child says it listens for it (ProcessSignal 'listening').
    let initSent = false
    child.on('message', (message: SandboxReply<R> | ProcessSignal | null) => {
      // The user's code may use the channel too (process.send); only the protocol's messages count.
      if (typeof message !== 'object' || message === null) return
      if ('type' in message) {
        if (message.type === 'received') {
          const pending = instance.pending.get(message.id)
          if (pending) pending.received = true
        } else if (message.type === 'listening' && !initSent) {
          initSent = true
          child.send(init, () => {})
        } else if (message.type === 'ready') {
          instance.served = true
          instance.ready()
        } else if (message.type === 'fatal') instance.fatal ??= message.error
      } else if ('id' in message) {
        const pending = instance.pending.get(message.id)
        if (!pending) return
        instance.pending.delete(message.id)
        if (instance.pending.size === 0 && !instance.exited) hold(child, false)
        pending.resolve({ kind: 'result', result: message.result, coldStart: pending.coldStart })
      }
    })
    instance.gone = new Promise<void>((resolve) => {
      const ended = async (code: number | null, signal: NodeJS.Signals | null) => {
        if (instance.exited) return
        instance.exited = true
        live.delete(child)
        // However it ended (killed, out of memory, process.exit), what it spawned goes with it; this also
        // closes the output pipes a grandchild inherited, which outputsClosed waits for.
        killGroup(child.pid)
        instance.ready()
        // V8's out-of-memory message, or an answer sent just before the exit, may still be in a pipe when 'exit' fires.
        await outputsClosed(child, { stderrMs: 2000, channelMs: 60_000 })
        instance.death = OUT_OF_MEMORY.test(instance.stderrTail)
          ? { kind: 'oom' }
          : { kind: 'crash', error: instance.fatal ?? exitError(code, signal) }
        for (const pending of instance.pending.values()) {
          if (pending.received || !instance.served) settle(pending, instance.death)
          else pending.resolve(UNDELIVERED)
        }
        instance.pending.clear()
        hold(child, false)
        resolve()
      }
      child.once('exit', (code, signal) => void ended(code, signal))
      child.on('error', (error) => {
        instance.fatal ??= { name: error.name, message: error.message, stack: error.stack }
        // No process was started (or it cannot be reached): there will be no 'exit' to wait for.
        if (child.pid === undefined) void ended(null, null)
        else killInstance(child)
      })
    })
    // Said on the test's output when a start is slow, so a hang guard that fires later names the phase it waited in.
    const slow = setTimeout(() => {
      process.emitWarning(
        `Instance ${child.pid} of '${settings.name}' not ready after ${SLOW_START_MS / 1000} s, ${initSent ? 'loading its code' : 'its first code not run yet'} (load average ${loadavg()[0]?.toFixed(1)}, ${starting} starting, ${waitingToStart.length} waiting to start)`,
        'CloudfnSandboxWarning',
      )
    }, SLOW_START_MS)
    slow.unref()
    const guard = setTimeout(() => {
      instance.fatal ??= { name: 'Error', message: `The function's instance did not start within ${startupMs / 1000} s` }
      killInstance(child)
    }, startupMs)
    await readyOrGone
    clearTimeout(guard)
    clearTimeout(slow)
    if (!instance.exited) hold(child, false)
    return instance
  }

  const pool = new InstancePool<ProcessInstance<R>>({
    provider: settings.provider,
    functionName: settings.name,
    maxInstances: settings.maxInstances,
    ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
    create: start,
    destroy: async (instance) => {
      // Held until it is gone, or an otherwise idle host would exit before seeing it end.
      if (!instance.exited) hold(instance.child, true)
      if (!instance.exited) killInstance(instance.child)
      await instance.gone
    },
    alive: (instance) => !instance.exited,
  })

  const execute = (instance: ProcessInstance<R>, message: M): Promise<SandboxOutcome<R> | typeof UNDELIVERED> => {
    const id = instance.requests++
    const coldStart = id === 0
    return new Promise((resolve, reject) => {
      const pending: Pending<R> = { coldStart, received: false, resolve, reject }
      // Failed to start: answered as its end was. Ended since it started: never sent, so for another instance.
      if (instance.death) return instance.served ? resolve(UNDELIVERED) : settle(pending, instance.death)
      instance.pending.set(id, pending)
      if (instance.exited) return // settled once the exit is understood
      hold(instance.child, true)
      const request: SandboxRequest<M> = { id, message }
      // A failed send means the channel closed: the exit settles the request.
      instance.child.send(request, () => {})
    })
  }

  return pooledSandbox(pool, execute, settings)
}

function exitError(code: number | null, signal: NodeJS.Signals | null): RemoteError {
  const message =
    code === null
      ? `The function's process was stopped by ${signal ?? 'a signal'} before answering`
      : `The function's process exited with code ${code} before answering`
  return { name: 'Error', message }
}

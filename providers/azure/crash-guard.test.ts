import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RemoteError } from '../../src/runtime/envelope.ts'
import { createCrashGuard, type GuardedProcess } from './crash-guard.ts'

/** A stand-in for `process`: its exits are recorded, and the worker's own listener can be added after the guard's. */
function fakeProcess() {
  const exits: Array<number | string | null | undefined> = []
  const listeners: Array<(thrown: unknown) => void> = []
  const target: GuardedProcess = {
    exit: ((code?: number | string | null) => {
      exits.push(code)
    }) as GuardedProcess['exit'],
    exitCode: undefined,
    prependListener(_event, listener) {
      listeners.unshift(listener)
    },
  }
  /** What Node does with an uncaught exception: calls every listener in order. */
  const uncaught = (thrown: unknown) => {
    for (const listener of listeners) listener(thrown)
  }
  // The Node worker's listener (azure-functions-nodejs-worker src/Worker.ts), registered before the app loads.
  listeners.push(() => target.exit(1))
  return { target, exits, uncaught }
}

const answer = (error: RemoteError) => JSON.stringify({ ok: false, error })
const GRACE_MS = 500

describe('Azure shim crash guard', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers an invocation whose code calls process.exit, stops that code, and exits with its code after the grace', async () => {
    const { target, exits } = fakeProcess()
    const guard = createCrashGuard(target, GRACE_MS)
    let after = false
    const result = guard.run(async () => {
      await Promise.resolve()
      target.exit(3)
      after = true
      return 'answered'
    }, answer)
    expect(JSON.parse(await result)).toEqual({
      ok: false,
      error: { name: 'Error', message: "The function's process exited with code 3 before answering" },
    })
    expect(after).toBe(false)
    expect(exits).toEqual([])
    await vi.advanceTimersByTimeAsync(GRACE_MS)
    expect(exits).toEqual([3])
  })

  it("answers an uncaught exception with its error, and holds the worker's own exit until the grace is over", async () => {
    const { target, exits, uncaught } = fakeProcess()
    const guard = createCrashGuard(target, GRACE_MS)
    class Boom extends Error {
      override name = 'Boom'
    }
    const result = guard.run(() => new Promise<string>(() => {}), answer)
    uncaught(new Boom('thrown in a timer'))
    expect(JSON.parse(await result).error).toMatchObject({ name: 'Boom', message: 'thrown in a timer' })
    expect(exits).toEqual([])
    await vi.advanceTimersByTimeAsync(GRACE_MS)
    expect(exits).toEqual([1])
  })

  it("leaves the worker's own errors and exits to the worker, even with an invocation in flight", async () => {
    const { target, exits, uncaught } = fakeProcess()
    const guard = createCrashGuard(target, GRACE_MS)
    let settled = false
    void guard
      .run(() => new Promise<string>(() => {}), answer)
      .finally(() => {
        settled = true
      })
    // An AzFuncSystemError (the worker's src/errors.ts): the worker's listener exits at once.
    uncaught(Object.assign(new Error('gRPC stream closed'), { isAzureFunctionsSystemError: true }))
    expect(exits).toEqual([1])
    // An exit from outside the invocation's async context (the worker terminating) is not the function's.
    target.exit(0)
    expect(exits).toEqual([1, 0])
    await vi.advanceTimersByTimeAsync(GRACE_MS)
    expect(settled).toBe(false)
    expect(exits).toEqual([1, 0])
  })

  it('passes exits and uncaught exceptions through when no invocation is in flight', async () => {
    const { target, exits, uncaught } = fakeProcess()
    const guard = createCrashGuard(target, GRACE_MS)
    expect(await guard.run(async () => 'ok', answer)).toBe('ok')
    target.exit(2)
    uncaught(new Error('after the invocation'))
    expect(exits).toEqual([2, 1])
  })

  describe('on a machine too loaded to run the worker in time', () => {
    beforeEach(() => {
      vi.useRealTimers()
    })

    it('ends the process only after the answer, written one turn later, has left, however long the process was starved', async () => {
      const { target, exits } = fakeProcess()
      // What leaves the process, in order: the answer's write and the exit.
      const order: string[] = []
      const exitProcess = target.exit
      target.exit = ((code?: number | string | null) => {
        order.push(`exit ${code}`)
        return exitProcess(code)
      }) as GuardedProcess['exit']
      const guard = createCrashGuard(target, 50)
      const sent: string[] = []
      // The worker writes the answer in a later turn of the loop (the IPC or gRPC write), as the emulated worker does.
      let crashed!: () => void
      const crash = new Promise<void>((resolve) => {
        crashed = resolve
      })
      const answered = guard.run(
        () =>
          new Promise<string>(() => {
            // The function exits from a later turn of its own (its async context), in the check phase.
            setImmediate(() => {
              try {
                target.exit(7)
              } catch {
                // ProcessExitRequested: stops the function's code, as an exit would.
              }
              // Starved: the process gets no CPU for longer than the whole grace (a hog beside `npm test`).
              const until = performance.now() + 200
              while (performance.now() < until) {}
              crashed()
            })
          }),
        answer,
      )
      void answered.then((envelope) =>
        setImmediate(() => {
          sent.push(envelope)
          order.push('answer sent')
        }),
      )
      await crash
      // Without turn counting, the due 50 ms timer ran first in the next turn and ended the process unanswered.
      await vi.waitFor(() => expect(exits).toEqual([7]), { timeout: 60_000 })
      expect(order).toEqual(['answer sent', 'exit 7'])
      expect(JSON.parse(sent[0] ?? '')).toMatchObject({ ok: false, error: { message: expect.stringContaining('code 7') } })
    })
  })
})

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
})

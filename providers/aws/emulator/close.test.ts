import { describe, expect, it } from 'vitest'
import { enqueueAsync } from './invoke.ts'
import { type EmulatedFunction, resolveOptions } from './model.ts'
import type { EmulatorEnv } from './router.ts'
import type { FunctionRuntime } from './runtime.ts'
import { AwsEmulatorState } from './state.ts'

describe('aws emulator close()', () => {
  it('drops queued asynchronous invocations instead of starting an instance that would outlive it', async () => {
    const state = new AwsEmulatorState(resolveOptions({ asyncRetryDelayMs: 1 }))
    const started: string[] = []
    // A version whose runtime records every start: none may happen once the emulator is closed.
    const runtime = {
      execute: async (event: string) => {
        started.push(event)
        return { body: 'null', functionError: undefined, log: '', logStream: 'stream' }
      },
    } as unknown as FunctionRuntime
    const fn = { name: 'late', live: { runtime } } as unknown as EmulatedFunction
    state.functions.set('late', fn)
    const env = { state } as EmulatorEnv
    await enqueueAsync(env, fn, '"before"', 'r1')
    expect(started).toEqual(['"before"'])
    state.closed = true
    await enqueueAsync(env, fn, '"after"', 'r2')
    expect(started).toEqual(['"before"'])
  })
})

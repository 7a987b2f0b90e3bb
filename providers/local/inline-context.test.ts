import { existsSync } from 'node:fs'
import { defineFunction } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { newGate } from '../../conformance/fixtures/recorders.ts'
import { createCloud } from '../../src/client.ts'
import { createLocalProvider } from './index.ts'

/** Writes its tag into its instance's env, logs both ways before and after waiting, and reports what it saw. */
function overlapping(name: string, who: string) {
  return defineFunction({
    name,
    env: { WHO: who },
    timeoutSec: 120,
    handler: async (input: { gate: string; tag: string }, ctx) => {
      process.env.TAG = input.tag
      console.log(`console ${input.tag} before`)
      while (!existsSync(input.gate)) await new Promise((resolve) => setTimeout(resolve, 2))
      ctx.log(`ctx ${input.tag} ${process.env.WHO}`)
      console.warn(`console ${input.tag} after ${process.env.TAG}`)
      return { tag: process.env.TAG ?? null, who: process.env.WHO ?? null, host: process.env.PATH ?? null }
    },
  })
}

describe('local inline executions that overlap', () => {
  it('each see their own env and keep their own logs; the host sees neither', async () => {
    const provider = createLocalProvider({ isolation: 'inline', maxInstances: 4 })
    const cloud = createCloud(provider)
    const first = await cloud.deploy(overlapping('overlap-a', 'first'))
    const second = await cloud.deploy(overlapping('overlap-b', 'second'))
    const gate = newGate()
    const calls = [
      first.invokeDetailed({ gate: gate.path, tag: 'a1' }, { logs: true }),
      first.invokeDetailed({ gate: gate.path, tag: 'a2' }, { logs: true }),
      second.invokeDetailed({ gate: gate.path, tag: 'b1' }, { logs: true }),
    ]
    // All three are running (each on its own instance) before any may finish.
    const started = () => (provider.store.executions.get('overlap-a') ?? 0) + (provider.store.executions.get('overlap-b') ?? 0)
    while (started() < 3) await new Promise((resolve) => setTimeout(resolve, 1))
    expect(process.env.TAG).toBeUndefined()
    expect(process.env.WHO).toBeUndefined()
    gate.open()
    const results = await Promise.all(calls)
    expect(results.map((result) => result.value)).toEqual([
      { tag: 'a1', who: 'first', host: null },
      { tag: 'a2', who: 'first', host: null },
      { tag: 'b1', who: 'second', host: null },
    ])
    expect(results.map((result) => result.logs?.map((entry) => `${entry.level}: ${entry.message}`))).toEqual([
      ['log: console a1 before', 'log: ctx a1 first', 'warn: console a1 after a1'],
      ['log: console a2 before', 'log: ctx a2 first', 'warn: console a2 after a2'],
      ['log: console b1 before', 'log: ctx b1 second', 'warn: console b1 after b1'],
    ])
    expect(process.env.TAG).toBeUndefined()
    await first.remove()
    await second.remove()
  })

  it('gives a synchronous handler (answered without a promise) its env and logs while another execution waits', async () => {
    const provider = createLocalProvider({ isolation: 'inline' })
    const cloud = createCloud(provider)
    const waiting = await cloud.deploy(overlapping('overlap-wait', 'waiting'))
    const sync = await cloud.deploy(
      defineFunction({
        name: 'overlap-sync',
        env: { WHO: 'sync' },
        handler: (input: string, ctx) => {
          console.info(`console ${input} ${process.env.WHO}`)
          ctx.log('ctx', input)
          return { who: process.env.WHO ?? null, tag: process.env.TAG ?? null }
        },
      }),
    )
    const gate = newGate()
    const pending = waiting.invokeDetailed({ gate: gate.path, tag: 'w' }, { logs: true })
    while (provider.store.executions.get('overlap-wait') !== 1) await new Promise((resolve) => setTimeout(resolve, 1))
    const answered = await sync.invokeDetailed('s', { logs: true })
    expect(answered.value).toEqual({ who: 'sync', tag: null })
    expect(answered.logs?.map((entry) => `${entry.level}: ${entry.message}`)).toEqual(['info: console s sync', 'log: ctx s'])
    gate.open()
    const waited = await pending
    expect(waited.value).toEqual({ tag: 'w', who: 'waiting', host: null })
    expect(waited.logs?.map((entry) => entry.message)).toEqual(['console w before', 'ctx w waiting', 'console w after w'])
    await waiting.remove()
    await sync.remove()
  })
})

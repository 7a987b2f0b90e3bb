/**
 * The emulated host's queue listener (triggers.ts) with a stub function
 * runtime: how it fetches batches, retries and poisons, as the Storage
 * Queues extension documents it
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger).
 * Message time is a manual clock that never moves: retries must not need it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { eventually } from '../../../conformance/expect.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { addStorageAccount, siteState } from '../__fixtures__/state.ts'
import type { AppRuntime, TriggerOutcome } from './app-runtime.ts'
import type { RpcData } from './protocol.ts'
import { QUEUE_OPTION_PREFIX } from './queue-extension.ts'
import { createQueue, putMessage, type QueueState } from './queues.ts'
import { AzureState } from './state.ts'
import { SiteTriggers } from './triggers.ts'

/** Hang guard only. */
const TIMEOUT_MS = 10_000

interface Call {
  data: RpcData
  finish(outcome: TriggerOutcome): void
}

let triggers: SiteTriggers | undefined
afterEach(() => {
  triggers?.close()
  triggers = undefined
  vi.useRealTimers()
})

function start(options: Record<string, string>, reply?: TriggerOutcome, appDirectory = '/nonexistent') {
  const clock = createManualClock(Date.UTC(2026, 0, 1))
  const state = new AzureState(() => 'secret')
  const queue = createQueue('work')
  addStorageAccount(state, [queue])
  const calls: Call[] = []
  const runtime: AppRuntime = {
    index: async () => ({ functions: [], bindingTypes: {} }),
    invoke: async () => ({ kind: 'failure', message: 'not an HTTP app' }),
    trigger: (_name, _id, data, onStart) =>
      new Promise((resolve) => {
        onStart()
        calls.push({ data, finish: resolve })
        if (reply) resolve(reply)
      }),
    retire: async () => {},
  }
  const settings = Object.fromEntries(Object.entries(options).map(([name, value]) => [`${QUEUE_OPTION_PREFIX}${name}`, value]))
  const site = siteState({
    appSettings: { AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a', ...settings },
    app: { directory: appDirectory, entryFile: 'index.js', routePrefix: '', functions: [], functionErrors: {} },
    listedFunctions: [{ kind: 'queue', name: 'q', queueName: 'work', connection: 'AzureWebJobsStorage' }],
    runtime: Promise.resolve(runtime),
  })
  state.sites.set('app', site)
  const poison = () =>
    state
      .storageAccount('acct')
      ?.queues.get('work-poison')
      ?.messages.map((message) => message.text) ?? []
  const send = (text: string) => putMessage(queue, Buffer.from(text).toString('base64'), clock.now())
  triggers = new SiteTriggers(state, { clock, queueRetryDelayMs: 1 })
  return { state, site, queue, calls, poison, send, clock, listen: () => triggers?.sync(site) }
}

const visible = (queue: QueueState, now: number) => queue.messages.filter((message) => message.visibleAt <= now).length

describe('queue listener', () => {
  it('fetches batchSize messages and the next batch once no more than newBatchThreshold still run', async () => {
    const { calls, queue, send, listen } = start({ batchSize: '4', newBatchThreshold: '2' })
    for (let index = 0; index < 10; index++) send(`{"n":${index}}`)
    listen()
    await eventually(async () => calls.length === 4, TIMEOUT_MS, 'the first batch')
    calls[0]?.finish({ kind: 'done' })
    // Three still run, more than the threshold: nothing new is fetched however long this waits.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(calls).toHaveLength(4)
    calls[1]?.finish({ kind: 'done' })
    await eventually(async () => calls.length === 8, TIMEOUT_MS, 'the second batch beside the two still running')
    expect(queue.messages).toHaveLength(8)
    expect(calls.map((call) => call.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ string: `{"n":${n}}` })))
  })

  it('retries a failed message at once (visibilityTimeout 0) and poisons it after maxDequeueCount runs', async () => {
    const { calls, poison, send, listen, queue } = start({ maxDequeueCount: '3' }, { kind: 'failure', message: 'boom' })
    send('{"id":7}')
    listen()
    await eventually(async () => poison().length === 1, TIMEOUT_MS, 'the poison message')
    expect(calls).toHaveLength(3)
    expect(poison().map((text) => Buffer.from(text, 'base64').toString('utf8'))).toEqual(['{"id":7}'])
    expect(queue.messages).toEqual([])
  })

  it('keeps a failed message hidden for the configured visibilityTimeout', async () => {
    const { calls, send, listen, queue } = start({ visibilityTimeout: '00:01:00' }, { kind: 'failure', message: 'boom' })
    const message = send('{"id":8}')
    listen()
    await eventually(async () => calls.length === 1 && message.dequeueCount === 1, TIMEOUT_MS, 'one run')
    await eventually(async () => message.visibleAt === Date.UTC(2026, 0, 1) + 60_000, TIMEOUT_MS, 'the release')
    expect(visible(queue, Date.UTC(2026, 0, 1))).toBe(0)
  })

  it('poisons without running a message already dequeued more than maxDequeueCount times', async () => {
    const { calls, poison, send, listen } = start({ maxDequeueCount: '2' })
    const message = send('{"id":9}')
    message.dequeueCount = 2
    listen()
    await eventually(async () => poison().length === 1, TIMEOUT_MS, 'the poison message')
    expect(calls).toHaveLength(0)
  })

  it('renews the lease of a message while its function runs, as the host does every 5 minutes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const { calls, send, listen, clock } = start({})
    const message = send('{"id":10}')
    const start0 = clock.now()
    listen()
    for (let turn = 0; turn < 100 && calls.length === 0; turn++) await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(1)
    expect(message.visibleAt).toBe(start0 + 10 * 60_000)
    // Six minutes pass on both clocks while the function still runs.
    await clock.advance(6 * 60_000)
    await vi.advanceTimersByTimeAsync(6 * 60_000)
    expect(message.visibleAt).toBe(start0 + 6 * 60_000 + 10 * 60_000)
    calls[0]?.finish({ kind: 'done' })
  })

  it("takes maxDequeueCount from the package's host.json", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cloudfn-host-'))
    try {
      writeFileSync(
        join(directory, 'host.json'),
        JSON.stringify({ version: '2.0', extensions: { queues: { maxDequeueCount: 2 } } }),
      )
      const { calls, poison, send, listen } = start({}, { kind: 'failure', message: 'boom' }, directory)
      send('{"id":11}')
      listen()
      await eventually(async () => poison().length === 1, TIMEOUT_MS, 'the poison message')
      expect(calls).toHaveLength(2)
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

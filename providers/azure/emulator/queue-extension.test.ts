/**
 * The emulated host's queue extension against its documentation
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger):
 * base64 messages reach the handler as sent, whatever their JSON kind; a
 * message that is not base64 goes to `<queue>-poison` without running the
 * function; options and polling pace follow host.json's defaults.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueClient, StorageSharedKeyCredential } from '@azure/storage-queue'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually } from '../../../conformance/expect.ts'
import { withOverrides } from '../../../src/define.ts'
import { recorder } from '../__fixtures__/queue-recorder.ts'
import { kitPerTest } from '../__fixtures__/test-kit.ts'
import { decodeBase64, PollingPace, QUEUE_OPTION_PREFIX, queueOptions, queueTriggerMetadata } from './queue-extension.ts'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})
// Registered after the folder's clean-up, so (after-hooks running in reverse) each kit closes before its folder goes.
const startKit = kitPerTest()

/** Hang guard only: deliveries normally take milliseconds. */
const DELIVERY_TIMEOUT_MS = 20_000

describe('queue extension rules', () => {
  it('reads base64 as .NET does: whitespace ignored, strict length and padding', () => {
    expect(decodeBase64(Buffer.from('{"id":1}').toString('base64'))).toBe('{"id":1}')
    expect(decodeBase64('eyJp\r\nZCI6MX0=')).toBe('{"id":1}')
    expect(decodeBase64('')).toBe('')
    expect(decodeBase64('{"id":1}')).toBeUndefined()
    expect(decodeBase64('abc')).toBeUndefined()
    expect(decodeBase64('ab=c')).toBeUndefined()
    expect(decodeBase64('a===')).toBeUndefined()
    expect(decodeBase64('not base64!')).toBeUndefined()
  })

  it("takes host.json's defaults and the app settings that override them", () => {
    expect(queueOptions({}, 100)).toEqual({
      maxDequeueCount: 5,
      batchSize: 16,
      newBatchThreshold: 8,
      visibilityTimeoutMs: 0,
      messageEncoding: 'base64',
      minPollingMs: 100,
      maxPollingMs: 60_000,
    })
    const set = (values: Record<string, string>) =>
      Object.fromEntries(Object.entries(values).map(([name, value]) => [`${QUEUE_OPTION_PREFIX}${name}`, value]))
    expect(
      queueOptions(
        set({
          maxDequeueCount: '2',
          batchSize: '64',
          newBatchThreshold: '3',
          visibilityTimeout: '00:00:30',
          messageEncoding: 'None',
          maxPollingInterval: '00:00:02',
        }),
        5,
      ),
    ).toEqual({
      maxDequeueCount: 2,
      batchSize: 16,
      newBatchThreshold: 3,
      visibilityTimeoutMs: 30_000,
      messageEncoding: 'none',
      minPollingMs: 5,
      maxPollingMs: 100,
    })
  })

  it("reads host.json's extensions.queues (any key case) under the app settings", () => {
    const options = queueOptions({ [`${QUEUE_OPTION_PREFIX}batchSize`]: '4' }, 100, {
      BatchSize: 8,
      maxDequeueCount: 3,
      visibilityTimeout: '00:00:10',
      maxPollingInterval: '00:00:02',
    })
    expect(options).toMatchObject({
      batchSize: 4,
      newBatchThreshold: 2,
      maxDequeueCount: 3,
      visibilityTimeoutMs: 10_000,
      maxPollingMs: 2000,
    })
  })

  it('polls at the minimum after messages and backs off from twice it to the maximum when empty', () => {
    const pace = new PollingPace(100, 1000)
    expect([false, false, false, false, false, true, false].map((found) => pace.next(found))).toEqual([
      200, 400, 800, 1000, 1000, 100, 200,
    ])
  })
})

describe('queue trigger metadata', () => {
  it('carries the documented fields, times as the host serializes them', () => {
    const at = Date.UTC(2026, 0, 1, 12, 0, 0)
    const metadata = queueTriggerMetadata(
      { id: 'm1', popReceipt: 'r1', dequeueCount: 2, insertedAt: at, expiresAt: at + 7 * 86_400_000, visibleAt: at + 600_500 },
      '{"id":1}',
    )
    expect(metadata).toEqual({
      QueueTrigger: { string: '{"id":1}' },
      DequeueCount: { json: '2' },
      ExpirationTime: { json: '"2026-01-08T12:00:00+00:00"' },
      Id: { string: 'm1' },
      InsertionTime: { json: '"2026-01-01T12:00:00+00:00"' },
      NextVisibleTime: { json: '"2026-01-01T12:10:00+00:00"' },
      PopReceipt: { string: 'r1' },
    })
  })
})

describe('queue extension on the emulator', () => {
  const JSON_KINDS: unknown[] = [
    null,
    true,
    false,
    0,
    -1.5,
    1e21,
    '',
    'text',
    '123',
    'null',
    '"quoted"',
    'ünïcødé 🚀 <xml>&amp;</xml>',
    [],
    [1, 'a', null, [true]],
    {},
    { nested: { list: [1, { deep: null }], text: 'x' } },
  ]

  it('hands the handler exactly the message sent, for every JSON kind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-queue-'))
    const file = join(dir, 'received.jsonl')
    const kit = startKit({ emulator: { queueRetryDelayMs: 5 } })
    const fn = await kit.cloud.deploy(withOverrides(recorder, { env: { QUEUE_RECORD_DIR: dir } }), { name: 'recorder' })
    for (const message of JSON_KINDS) await fn.send(message)
    const received = () => {
      try {
        return readFileSync(file, 'utf8').split('\n').filter(Boolean)
      } catch {
        return []
      }
    }
    await eventually(async () => received().length >= JSON_KINDS.length, DELIVERY_TIMEOUT_MS, 'every message')
    const sortByJson = (values: unknown[]) => [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    expect(sortByJson(received().map((line) => JSON.parse(line)))).toEqual(sortByJson(JSON_KINDS))
    expect(kit.emulator.deadLetters('recorder')).toEqual([])
  })

  it('moves a message that is not base64 to <queue>-poison without running the function', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-queue-'))
    const kit = startKit({ emulator: { queueRetryDelayMs: 5 } })
    await kit.cloud.deploy(withOverrides(recorder, { env: { QUEUE_RECORD_DIR: dir } }), { name: 'recorder' })
    const { state } = kit.emulator
    const account = [...state.storageAccounts.values()][0]
    if (!account) throw new Error('the deploy created no storage account')
    // Another producer writes raw text, as a client without base64 encoding does.
    const client = new QueueClient(
      `https://${account.name}.queue.core.windows.net/recorder`,
      new StorageSharedKeyCredential(account.name, account.keys[0]),
      { retryOptions: { maxTries: 1 } },
    )
    await client.sendMessage('{"id":1} is not base64')
    const poison = () => account.queues.get('recorder-poison')?.messages.map((message) => message.text) ?? []
    await eventually(async () => poison().length === 1, DELIVERY_TIMEOUT_MS, 'the poison message')
    expect(poison()).toEqual(['{"id":1} is not base64'])
    expect(account.queues.get('recorder')?.messages).toEqual([])
    expect(state.executions.size).toBe(0)
  })
})

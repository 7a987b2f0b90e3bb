/**
 * What a queue-triggered function receives on the GCP emulator: every kind of
 * JSON message goes through Pub/Sub's push delivery, Eventarc's CloudEvent
 * and the function's framework, and the handler must get exactly what was
 * sent. The handler writes each message it receives to a file named by its
 * environment, so the test compares content, not executions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOverrides } from '../../../src/define.ts'
import { queueRecorder } from '../__fixtures__/queue-recorder.ts'
import { startEmulated } from '../__fixtures__/setup.ts'

const MESSAGES: unknown[] = [
  { key: 'value', n: 1 },
  [1, 2, 'three'],
  'a string',
  '',
  42,
  -0.5,
  0,
  true,
  false,
  null,
  { deep: { er: [{ est: [null, { x: 'y' }] }] } },
  { text: 'héllo wörld ✓ 日本語 🎉', clé: 'ü' },
  [],
  {},
]

const record = mkdtempSync(join(tmpdir(), 'cloudfn-gcp-queue-'))

const recorder = withOverrides(queueRecorder, { env: { RECORD_DIR: record } })

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated({ queueRetryDelayMs: 2 })
})
afterAll(async () => {
  await env.emulator.close()
  rmSync(record, { recursive: true, force: true })
})

const received = (): unknown[] =>
  readdirSync(record)
    .filter((file) => file.endsWith('.json'))
    .map((file) => (JSON.parse(readFileSync(join(record, file), 'utf8')) as { received: unknown }).received)

/** A stable order to compare sets of messages by (deliveries are concurrent). */
const sorted = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort()

describe('gcp emulator: queue payloads', () => {
  it('hands the handler each message exactly as sent, for every kind of JSON value', async () => {
    const fn = await env.cloudWith().deploy(recorder, { name: 'recorder' })
    for (const message of MESSAGES) await fn.send(message)
    // Deliveries are asynchronous; this bound is only a hang guard.
    while (received().length < MESSAGES.length) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(sorted(received())).toEqual(sorted(MESSAGES))
    expect(env.emulator.deadLetters('recorder')).toEqual([])
    await fn.remove()
  }, 120_000)
})

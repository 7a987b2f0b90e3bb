/**
 * The vitest runner's `--record`: with CLOUDFN_RECORD set, runConformance
 * writes a transcript per scenario of a real-cloud target (here one standing
 * in for a real cloud, talking to a loopback server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect } from 'vitest'
import { createAwsEmulator } from '../../providers/aws/emulator/index.ts'
import type { Cloud } from '../../src/client.ts'
import type { ConformanceTarget, Scenario } from '../scenario.ts'
import { runConformance } from '../vitest.ts'
import { type LoopbackCloud, startLoopbackCloud } from './__fixtures__/loopback-cloud.ts'
import { parseTranscript } from './transcript.ts'

const dir = mkdtempSync(join(tmpdir(), 'cloudfn-vitest-record-'))
const saved = process.env.CLOUDFN_RECORD
process.env.CLOUDFN_RECORD = dir
const emulator = createAwsEmulator({ region: 'us-east-1' })
let cloud: LoopbackCloud | undefined

const target: ConformanceTarget = {
  name: 'aws',
  realCloud: { creates: 'nothing', cost: 'nothing' },
  async setup() {
    cloud = await startLoopbackCloud(emulator.handlers, 'lambda.us-east-1.amazonaws.com')
    // Setup traffic (a real target checks its role here): not part of any scenario.
    await fetch(`${cloud.url}/2015-03-31/functions/during-setup`)
    return {
      // What runScenario reads of a cloud: its capabilities and its cost ledger (nothing is billed here).
      cloud: { capabilities: {}, costSnapshot: () => ({ usd: 0 }) } as unknown as Cloud,
      probe: {
        exists: async () => false,
        executions: async () => 0,
        requestCount: async () => 0,
        functionNames: async () => [],
      },
      teardown: async () => cloud?.close(),
    }
  },
}

const scenario: Scenario = {
  id: 'one-call',
  title: 'one call to the stand-in cloud',
  async run() {
    const response = await fetch(`${cloud?.url}/2015-03-31/functions/from-scenario`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDX/20261207/us-east-1/lambda/aws4_request, Signature=ab12' },
    })
    expect(response.status).toBe(404)
  },
}

runConformance([target], [scenario])

afterAll(async () => {
  if (saved === undefined) delete process.env.CLOUDFN_RECORD
  else process.env.CLOUDFN_RECORD = saved
  await emulator.close()
  try {
    const transcript = parseTranscript(JSON.parse(readFileSync(join(dir, 'aws', 'one-call.json'), 'utf8')))
    expect(transcript.exchanges.map((e) => [e.request.path, e.response?.status])).toEqual([
      ['/2015-03-31/functions/from-scenario', 404],
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

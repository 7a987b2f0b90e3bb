/**
 * `conformance --record`'s recording of a run: which targets are recorded,
 * setup traffic dropped, one transcript per scenario under
 * `<dir>/<target>/<scenario>.json`, the run's credentials (from the
 * environment the SDKs read) never written.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAwsEmulator } from '../../providers/aws/emulator/index.ts'
import type { ConformanceTarget } from '../scenario.ts'
import { type LoopbackCloud, startLoopbackCloud } from './__fixtures__/loopback-cloud.ts'
import { notRecordable, recordRun } from './record-run.ts'
import { parseTranscript } from './transcript.ts'

const MARKER = 'MARKER-env-session-token-0b7e1d'
const emulator = createAwsEmulator({ region: 'us-east-1' })
let cloud: LoopbackCloud
let dir: string

beforeAll(async () => {
  cloud = await startLoopbackCloud(emulator.handlers, 'lambda.us-east-1.amazonaws.com')
  dir = await mkdtemp(join(tmpdir(), 'cloudfn-record-run-'))
})
afterAll(async () => {
  await cloud.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

const real = (unavailable?: string): ConformanceTarget => ({
  name: 'aws',
  realCloud: { creates: 'nothing', cost: 'nothing' },
  unavailable: () => unavailable,
  setup: () => Promise.reject(new Error('not used')),
})

function call(path: string): Promise<Response> {
  return fetch(`${cloud.url}${path}`, {
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAMARKER0000000099/20261207/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0123abcd0123abcd',
      'x-amz-security-token': MARKER,
    },
  })
}

describe('recording a conformance run', () => {
  it('records real clouds that can run here, and says why not otherwise', () => {
    expect(notRecordable(real())).toBeUndefined()
    expect(notRecordable(real('set AWS_ACCESS_KEY_ID'))).toBe('set AWS_ACCESS_KEY_ID')
    const emulated: ConformanceTarget = { name: 'aws-emulated', setup: () => Promise.reject(new Error('not used')) }
    expect(notRecordable(emulated)).toMatch(/^not a real cloud/)
  })

  it('writes one scrubbed transcript per scenario, without the setup traffic or the credentials', async () => {
    const saved = process.env.AWS_SESSION_TOKEN
    process.env.AWS_SESSION_TOKEN = MARKER
    const recording = await recordRun(real(), 'aws', dir)
    try {
      await call('/2015-03-31/functions/setup-only')
      await recording.started()
      await call('/2015-03-31/functions/first')
      const first = await recording.scenarioDone('lifecycle', 'passed')
      await call('/2015-03-31/functions/second')
      const second = await recording.scenarioDone('errors', 'failed')
      expect(first).toEqual({ file: join(dir, 'aws', 'lifecycle.json') })
      expect(second).toEqual({ file: join(dir, 'aws', 'errors.json') })
    } finally {
      recording.stop()
      if (saved === undefined) delete process.env.AWS_SESSION_TOKEN
      else process.env.AWS_SESSION_TOKEN = saved
    }
    const text = await readFile(join(dir, 'aws', 'lifecycle.json'), 'utf8')
    expect(text).not.toContain(MARKER)
    expect(text).not.toContain('AKIAMARKER')
    const lifecycle = parseTranscript(JSON.parse(text))
    expect(lifecycle.exchanges.map((e) => [e.request.path, e.response?.status])).toEqual([['/2015-03-31/functions/first', 404]])
    expect(lifecycle.source.note).toBe('cloudfn conformance --record, target aws, scenario passed')
    const errors = parseTranscript(JSON.parse(await readFile(join(dir, 'aws', 'errors.json'), 'utf8')))
    expect(errors.exchanges.map((e) => e.request.path)).toEqual(['/2015-03-31/functions/second'])
  })
})

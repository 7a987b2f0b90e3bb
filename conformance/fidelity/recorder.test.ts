/**
 * Record → scrub → write → replay, end to end: the unmodified AWS SDK talks
 * real HTTP to a loopback server standing in for Lambda (answering as the AWS
 * emulator does), the recorder captures the traffic, the transcript is written
 * with the leak check on, and replaying it against a fresh emulator matches.
 * The run's credentials are marker secrets that must never reach the disk.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAwsEmulator } from '../../providers/aws/emulator/index.ts'
import { createManualClock } from '../../src/triggers/clock.ts'
import { type LoopbackCloud, startLoopbackCloud } from './__fixtures__/loopback-cloud.ts'
import { parseAllowList } from './allow-list.ts'
import { credentialSecrets, startRecorder, writeTranscript } from './recorder.ts'
import { replayTranscript } from './replay.ts'
import { SecretLeakError } from './scrub.ts'
import { parseTranscript, type Transcript } from './transcript.ts'

const region = 'us-east-1'
const LAMBDA = `lambda.${region}.amazonaws.com`
// Marker secrets: lengths divisible by 3 so that the base64 check is exercised on whole groups too.
const MARKER_KEY = 'MARKERsecretKEY-7f3a9c-do-not-write'
const MARKER_TOKEN = 'MARKERsessionTOKEN-41d2b8e0-never-on-disk'
const MARKER_KEY_ID = 'AKIAMARKER0000000042'
const secrets = [
  { label: 'the marker secret access key', value: MARKER_KEY },
  { label: 'the marker session token', value: MARKER_TOKEN },
  { label: 'the marker access key id', value: MARKER_KEY_ID },
]
const credentials = { accessKeyId: MARKER_KEY_ID, secretAccessKey: MARKER_KEY, sessionToken: MARKER_TOKEN }
const ROLE = 'arn:aws:iam::123456789012:role/fidelity'
const code = zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async (event) => ({ ok: event.n + 1 })') })

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudfn-fidelity-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function everyFileText(root: string): Promise<string> {
  const names = await readdir(root, { recursive: true, withFileTypes: true })
  const texts = await Promise.all(
    names.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')),
  )
  return texts.join('\n')
}

/**
 * A short real run against the loopback Lambda: create, wait until Active, invoke, a 404, delete.
 * The wait moves the loopback emulator's state clock (`tick`) between polls rather than sleeping: the
 * recording then holds Pending answers and a poll run however slow the machine is.
 */
async function run(cloud: LoopbackCloud, tick: () => Promise<unknown>): Promise<void> {
  const lambda = new LambdaClient({ region, endpoint: cloud.url, credentials, maxAttempts: 1 })
  try {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'fidelity-loop',
        Role: ROLE,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: code },
      }),
    )
    for (;;) {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fidelity-loop' }))
      if (config.State === 'Active') break
      await tick()
    }
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'fidelity-loop', Payload: '{"n":1}' }))
    expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toEqual({ ok: 2 })
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'missing-fn' }))).rejects.toThrow('Function not found')
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fidelity-loop' }))
  } finally {
    lambda.destroy()
  }
}

describe('recording a run against a loopback cloud', () => {
  let transcript: Transcript
  let file: string

  it('captures every exchange in order, scrubbed, and writes no credential', async () => {
    const stateClock = createManualClock()
    const emulator = createAwsEmulator({ region, stateDelayMs: 200, updateDelayMs: 200, stateClock })
    const cloud = await startLoopbackCloud(emulator.handlers, LAMBDA)
    const recorder = startRecorder({ secrets, hostAliases: { [cloud.host]: LAMBDA } })
    try {
      await run(cloud, () => stateClock.advance(50))
      transcript = await recorder.transcript({ provider: 'aws', scenario: 'loopback' })
      file = join(dir, 'aws', 'loopback.json')
      await writeTranscript(file, transcript, recorder.secrets)
    } finally {
      recorder.stop()
      await cloud.close()
      await emulator.close()
    }

    const onDisk = await everyFileText(dir)
    for (const { value } of secrets) {
      expect(onDisk).not.toContain(value)
      expect(onDisk).not.toContain(Buffer.from(value).toString('base64').slice(0, 12))
    }
    expect(onDisk).not.toContain('123456789012')

    const steps = transcript.exchanges.filter((e) => !e.poll).map((e) => `${e.request.method} ${e.request.path}`)
    expect(steps).toEqual([
      'POST /2015-03-31/functions',
      'GET /2015-03-31/functions/fidelity-loop/configuration',
      'POST /2015-03-31/functions/fidelity-loop/invocations',
      'GET /2015-03-31/functions/missing-fn',
      'DELETE /2015-03-31/functions/fidelity-loop',
    ])
    const [create, firstPoll] = transcript.exchanges
    if (!create?.response) throw new Error('no create recorded')
    const json = (body: unknown) => (body as { json: Record<string, unknown> }).json
    expect(create?.request.host).toBe(LAMBDA)
    expect(create?.request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=<access-key-id>\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=<signature>$/,
    )
    expect(create?.request.headers['x-amz-security-token']).toBe('<session-token>')
    expect(json(create.request.body).Role).toBe('arn:aws:iam::<account-id>:role/fidelity')
    expect(create?.response?.status).toBe(201)
    expect(json(create.response.body)).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:<account-id>:function:fidelity-loop',
      State: 'Pending',
    })
    // The wait loop's repeats are marked as polls; Pending for 200 ms of the state clock, 50 ms a poll.
    expect(firstPoll?.poll).toBeUndefined()
    const polls = transcript.exchanges.filter((e) => e.request.path.endsWith('/configuration'))
    expect(polls.map((e) => [e.poll, json(e.response?.body).State])).toEqual([
      [undefined, 'Pending'],
      [true, 'Pending'],
      [true, 'Pending'],
      [true, 'Pending'],
      [true, 'Active'],
    ])
    const invoke = transcript.exchanges.find((e) => e.request.path.endsWith('/invocations'))
    expect(invoke?.response).toMatchObject({ status: 200, body: { json: { ok: 2 } } })
    const missing = transcript.exchanges.find((e) => e.request.path.endsWith('/missing-fn'))
    expect(missing?.response?.status).toBe(404)
    expect(missing?.response?.headers['x-amzn-errortype']).toMatch(/^ResourceNotFoundException/)
  })

  it('replays the written transcript against a fresh emulator: every exchange matches', async () => {
    const read = parseTranscript(JSON.parse(await readFile(file, 'utf8')), 'aws/loopback.json')
    const result = await replayTranscript(read, 'aws/loopback.json', { pollDelayMs: 25 })
    expect(result.error).toBeUndefined()
    expect(result.exchanges.map((e) => [e.request, e.outcome])).toEqual([
      ['POST /2015-03-31/functions', 'match'],
      ['GET /2015-03-31/functions/fidelity-loop/configuration', 'match'],
      ['POST /2015-03-31/functions/fidelity-loop/invocations', 'match'],
      ['GET /2015-03-31/functions/missing-fn', 'match'],
      ['DELETE /2015-03-31/functions/fidelity-loop', 'match'],
    ])
  })

  it('reports a recorded answer the emulator does not give, unless the allow-list names it with a reason', async () => {
    const altered = structuredClone(transcript)
    const missing = altered.exchanges.findIndex((e) => e.request.path.endsWith('/missing-fn'))
    const response = altered.exchanges[missing]?.response
    if (!response) throw new Error('no 404 recorded')
    response.status = 403
    response.headers['x-amzn-errortype'] = 'AccessDeniedException'
    // Only the 404 and the steps before it: the differing exchange is what matters.
    altered.exchanges = altered.exchanges.slice(0, missing + 1)
    const differs = await replayTranscript(altered, 'aws/altered.json', { pollDelayMs: 25 })
    expect(differs.exchanges.at(-1)).toMatchObject({
      outcome: 'differs',
      differences: [
        { field: 'status', recorded: '403', replayed: '404' },
        { field: 'code', recorded: 'AccessDeniedException', replayed: 'ResourceNotFoundException' },
      ],
    })
    const allowList = parseAllowList({
      allowed: [{ transcript: 'aws/altered.json', exchange: missing, reason: 'made up for the test: a 403 where AWS says 404' }],
    })
    const allowed = await replayTranscript(altered, 'aws/altered.json', { pollDelayMs: 25, allowList })
    expect(allowed.exchanges.at(-1)?.outcome).toBe('allowed')
    expect(allowed.exchanges.at(-1)?.differences[0]?.allowed).toBe('made up for the test: a 403 where AWS says 404')
  })
})

describe('the leak check', () => {
  it('refuses to write a transcript that still holds a credential, and writes nothing', async () => {
    const emulator = createAwsEmulator({ region, stateDelayMs: 0 })
    // The stand-in cloud echoes the secret in a field whose name says nothing: the scrubber cannot know it.
    const cloud = await startLoopbackCloud(emulator.handlers, LAMBDA, (body) =>
      body.replace('"Description":""', `"Description":"${[...MARKER_TOKEN].reverse().join('')}"`),
    )
    const reversed = { label: 'the reversed marker', value: [...MARKER_TOKEN].reverse().join('') }
    const recorder = startRecorder({ secrets, hostAliases: { [cloud.host]: LAMBDA } })
    const lambda = new LambdaClient({ region, endpoint: cloud.url, credentials, maxAttempts: 1 })
    let transcript: Transcript
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'leaky',
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: code },
        }),
      )
      transcript = await recorder.transcript({ provider: 'aws', scenario: 'leaky' })
    } finally {
      lambda.destroy()
      recorder.stop()
      await cloud.close()
      await emulator.close()
    }
    const file = join(dir, 'leak', 'leaky.json')
    // Scrubbed of the known secrets, it is written; a value the run knows as secret but the scrubber did not replace is refused.
    await expect(writeTranscript(file, transcript, [...recorder.secrets, reversed])).rejects.toThrow(SecretLeakError)
    await expect(writeTranscript(file, transcript, [...recorder.secrets, reversed])).rejects.toThrow(
      'still holds the reversed marker after scrubbing',
    )
    await expect(readdir(join(dir, 'leak'))).rejects.toThrow('ENOENT')
  })

  it('finds a secret inside base64 at any byte offset, and never prints the value', async () => {
    for (const offset of [0, 1, 2, 5]) {
      const bytes = Buffer.concat([Buffer.alloc(offset, 7), Buffer.from(MARKER_KEY), Buffer.alloc(4, 9)])
      const transcript: Transcript = {
        format: 'cloudfn-transcript/1',
        provider: 'aws',
        scenario: 'binary',
        source: { kind: 'recorded' },
        exchanges: [
          {
            request: {
              method: 'PUT',
              host: LAMBDA,
              path: '/x',
              query: [],
              headers: {},
              body: { base64: bytes.toString('base64') },
            },
          },
        ],
      }
      const error = await writeTranscript(join(dir, 'b64', `${offset}.json`), transcript, secrets).then(
        () => undefined,
        (e: unknown) => e as Error,
      )
      expect(error).toBeInstanceOf(SecretLeakError)
      expect(error?.message).toContain('the marker secret access key')
      expect(error?.message).not.toContain(MARKER_KEY)
    }
    await expect(readdir(join(dir, 'b64'))).rejects.toThrow('ENOENT')
  })

  it('takes the run credentials from the environment the SDKs read', () => {
    const found = credentialSecrets({
      AWS_SECRET_ACCESS_KEY: MARKER_KEY,
      AWS_SESSION_TOKEN: MARKER_TOKEN,
      AWS_REGION: 'us-east-1',
    })
    expect(found).toEqual([
      { label: 'AWS_SECRET_ACCESS_KEY', value: MARKER_KEY },
      { label: 'AWS_SESSION_TOKEN', value: MARKER_TOKEN },
    ])
  })
})

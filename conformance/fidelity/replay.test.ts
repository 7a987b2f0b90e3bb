/**
 * The replayer's parts: where each cloud puts its error code, the normalisers,
 * binding values the cloud made up to the emulator's own, and replay against
 * the GCP and Azure emulators. The transcripts here are written for the test
 * (their answers in each cloud's documented error shape), not recordings.
 */
import { strToU8, zipSync } from 'fflate'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_NORMALISERS, normaliseText } from './normalise.ts'
import { fidelityOf } from './provider.ts'
import { replayTranscript } from './replay.ts'
import type { Exchange, RecordedRequest, Transcript } from './transcript.ts'

function transcript(provider: string, exchanges: Exchange[]): Transcript {
  return { format: 'cloudfn-transcript/1', provider, scenario: 'test', source: { kind: 'converted' }, exchanges }
}

function get(host: string, path: string, query: [string, string][] = []): RecordedRequest {
  return { method: 'GET', host, path, query, headers: { authorization: 'Bearer <token>' }, body: null }
}

describe('error codes, where each cloud puts them', () => {
  it.each([
    [
      'aws',
      { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/' },
      null,
      'ResourceNotFoundException',
    ],
    ['aws', {}, { json: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'm' } }, 'QueueDoesNotExist'],
    ['aws', {}, { text: '<ErrorResponse><Error><Code>NoSuchEntity</Code></Error></ErrorResponse>' }, 'NoSuchEntity'],
    ['gcp', {}, { json: { error: { code: 404, status: 'NOT_FOUND', message: 'm' } } }, 'NOT_FOUND'],
    ['azure', { 'x-ms-error-code': 'QueueNotFound' }, null, 'QueueNotFound'],
    ['azure', {}, { json: { error: { code: 'ResourceGroupNotFound', message: 'm' } } }, 'ResourceGroupNotFound'],
  ] as const)('%s %j %j → %s', async (provider, headers, body, code) => {
    // Each provider says where (its manifest's fidelity(), providers/<name>/conformance/fidelity.ts).
    const fidelity = await fidelityOf(provider)
    expect(fidelity?.errorCode({ status: 404, headers, body })).toBe(code)
  })
})

describe('the default normalisers', () => {
  it('rewrite generated values and leave ordinary quoted strings alone', async () => {
    const aws = await fidelityOf('aws')
    const text =
      'RequestId: 3f2b1c9e-1111-4a2b-9c3d-8e7f6a5b4c3d at 2025-11-25T02:26:54.123+0000, "0x8DB1234567890AB", ' +
      'arn:aws:lambda:us-east-1:123456789012:function:f, {"LARGE_VAR":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
    expect(normaliseText(text, [...DEFAULT_NORMALISERS, ...(aws?.normalisers ?? [])])).toBe(
      'RequestId: <uuid> at <timestamp>, <etag>, arn:aws:lambda:us-east-1:<account-id>:function:f, {"LARGE_VAR":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
    )
  })
})

describe('replay', () => {
  it('binds a value the cloud made up (a function URL) to the emulator’s and sends later requests to it', async () => {
    const code = Buffer.from(
      zipSync({ 'index.mjs': strToU8('export const handler = async () => ({ statusCode: 200, body: "bound" })') }),
    ).toString('base64')
    const host = 'lambda.us-east-1.amazonaws.com'
    const auth = {
      authorization: 'AWS4-HMAC-SHA256 Credential=<access-key-id>/20261207/us-east-1/lambda/aws4_request, Signature=<signature>',
    }
    const post = (path: string, json: unknown): RecordedRequest => ({
      method: 'POST',
      host,
      path,
      query: [],
      headers: auth,
      body: { json },
    })
    const config = get(host, '/2015-03-31/functions/bind-url/configuration')
    config.headers = auth
    const recordedUrl = 'https://0123456789abcdef0123456789abcdef.lambda-url.us-east-1.on.aws/'
    const result = await replayTranscript(
      transcript('aws', [
        {
          request: post('/2015-03-31/functions', {
            FunctionName: 'bind-url',
            Role: 'arn:aws:iam::<account-id>:role/r',
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { ZipFile: code },
          }),
          response: { status: 201, headers: {}, body: { json: { State: 'Pending' } } },
          fields: ['State'],
        },
        { request: config, response: { status: 200, headers: {}, body: { json: { State: 'Pending' } } }, fields: ['State'] },
        {
          request: config,
          response: { status: 200, headers: {}, body: { json: { State: 'Active' } } },
          fields: ['State'],
          poll: true,
        },
        {
          request: post('/2015-03-31/functions/bind-url/policy', {
            StatementId: 'url',
            Action: 'lambda:InvokeFunctionUrl',
            Principal: '*',
            FunctionUrlAuthType: 'NONE',
          }),
          response: { status: 201, headers: {}, body: null },
          fields: [],
        },
        {
          request: post('/2021-10-31/functions/bind-url/url', { AuthType: 'NONE' }),
          response: { status: 201, headers: {}, body: { json: { FunctionUrl: recordedUrl, AuthType: 'NONE' } } },
          fields: ['AuthType'],
        },
        {
          request: { ...get(new URL(recordedUrl).host, '/'), headers: {} },
          response: { status: 200, headers: {}, body: { text: 'bound' } },
          fields: ['$body'],
        },
      ]),
      'aws/bind.json',
      { pollDelayMs: 25 },
    )
    expect(result.exchanges.map((e) => [e.request, e.outcome, e.differences])).toEqual([
      ['POST /2015-03-31/functions', 'match', []],
      ['GET /2015-03-31/functions/bind-url/configuration', 'match', []],
      ['POST /2015-03-31/functions/bind-url/policy', 'match', []],
      ['POST /2021-10-31/functions/bind-url/url', 'match', []],
      ['GET /', 'match', []],
    ])
  })

  describe('on a machine that stalls between two requests', () => {
    afterEach(() => {
      vi.restoreAllMocks()
    })

    it('keeps what the recording saw Pending or InProgress: state delays run on the replay’s clock, moved by polls only', async () => {
      // Every read of the wall clock is 2 s after the one before: a create's 1 s Pending would be over by the
      // next request. The replay's emulator measures its delays on a manual clock that only its polls move.
      let wall = Date.now()
      vi.spyOn(Date, 'now').mockImplementation(() => {
        wall += 2000
        return wall
      })
      const host = 'lambda.us-east-1.amazonaws.com'
      const headers = { authorization: 'AWS4-HMAC-SHA256 Credential=<access-key-id>/20261207/us-east-1/lambda/aws4_request' }
      const config = { ...get(host, '/2015-03-31/functions/stall/configuration'), headers }
      const update: RecordedRequest = { ...config, method: 'PUT', body: { json: { Timeout: 5 } } }
      const state = (State: string) => ({ status: 200, headers: {}, body: { json: { State } } })
      const updateStatus = (LastUpdateStatus: string) => ({ status: 200, headers: {}, body: { json: { LastUpdateStatus } } })
      const code = Buffer.from(zipSync({ 'index.mjs': strToU8('export const handler = async () => 1') })).toString('base64')
      const create: RecordedRequest = {
        method: 'POST',
        host,
        path: '/2015-03-31/functions',
        query: [],
        headers,
        body: {
          json: {
            FunctionName: 'stall',
            Role: 'arn:aws:iam::<account-id>:role/r',
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { ZipFile: code },
          },
        },
      }
      const conflict = {
        status: 409,
        headers: { 'x-amzn-errortype': 'ResourceConflictException' },
        body: {
          json: {
            Type: 'User',
            message:
              'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:<account-id>:function:stall',
          },
        },
      }
      const result = await replayTranscript(
        transcript('aws', [
          { request: create, response: { ...state('Pending'), status: 201 }, fields: ['State'] },
          // One look, no poll after it: Lambda still says Pending, and refuses an update meanwhile.
          { request: config, response: state('Pending'), fields: ['State'] },
          { request: update, response: conflict },
          { request: config, response: state('Pending'), fields: ['State'] },
          { request: config, response: state('Active'), fields: ['State'], poll: true },
          { request: update, response: updateStatus('InProgress'), fields: ['LastUpdateStatus'] },
          { request: config, response: updateStatus('InProgress'), fields: ['LastUpdateStatus'] },
          { request: config, response: updateStatus('Successful'), fields: ['LastUpdateStatus'], poll: true },
        ]),
        'aws/stall.json',
        { pollDelayMs: 100 },
      )
      expect(result.exchanges.map((e) => [e.index, e.request, e.outcome, e.differences])).toEqual([
        [0, 'POST /2015-03-31/functions', 'match', []],
        [1, 'GET /2015-03-31/functions/stall/configuration', 'match', []],
        [2, 'PUT /2015-03-31/functions/stall/configuration', 'match', []],
        [3, 'GET /2015-03-31/functions/stall/configuration', 'match', []],
        [5, 'PUT /2015-03-31/functions/stall/configuration', 'match', []],
        [6, 'GET /2015-03-31/functions/stall/configuration', 'match', []],
      ])
    })
  })

  it('replays against the GCP and Azure emulators, placeholders filled with theirs', async () => {
    const gcp = await replayTranscript(
      transcript('gcp', [
        {
          request: get('cloudfunctions.googleapis.com', '/v2/projects/<project-id>/locations/us-central1/functions/nope'),
          response: {
            status: 404,
            headers: {},
            body: {
              json: {
                error: {
                  code: 404,
                  status: 'NOT_FOUND',
                  message: "Resource 'projects/<project-id>/locations/us-central1/functions/nope' was not found",
                },
              },
            },
          },
        },
      ]),
      'gcp/missing.json',
    )
    expect(gcp.exchanges).toMatchObject([{ outcome: 'match', differences: [] }])
    const azure = await replayTranscript(
      transcript('azure', [
        {
          request: get(
            'management.azure.com',
            '/subscriptions/<subscription-id>/resourceGroups/rg/providers/Microsoft.Web/sites/nope',
            [['api-version', '2024-04-01']],
          ),
          response: {
            status: 404,
            // ARM puts the code in the body (x-ms-error-code is the storage data plane's).
            headers: {},
            body: { json: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg' could not be found." } } },
          },
        },
      ]),
      'azure/missing.json',
    )
    expect(azure.exchanges).toMatchObject([{ outcome: 'match', differences: [] }])
  })

  it('says so when a provider has no emulator', async () => {
    const result = await replayTranscript(transcript('nowhere', []), 'x.json')
    expect(result.error).toBe('no emulator for provider nowhere')
  })
})

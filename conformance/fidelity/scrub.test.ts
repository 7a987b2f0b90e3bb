import { describe, expect, it } from 'vitest'
import { type RawExchange, Scrubber } from './scrub.ts'
import { parseTranscript, TranscriptError } from './transcript.ts'

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))

function raw(
  url: string,
  request: Record<string, string>,
  body: unknown,
  status: number,
  answer: unknown,
  headers = {},
): RawExchange {
  return {
    request: { method: 'POST', url, headers: request, body: bytes(body ?? '') },
    response: { status, headers, body: bytes(answer) },
  }
}

describe('the scrubber', () => {
  it('replaces GCP project ids and numbers and bearer tokens with stable placeholders', () => {
    const token = 'ya29.a0AfB_byC-secret-access-token-value'
    const exchanges = new Scrubber().scrubAll([
      raw(
        'https://cloudfunctions.googleapis.com/v2/projects/acme-prod-1234/locations/us-central1/functions?functionId=f',
        { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'gl-node/22' },
        { serviceConfig: { serviceAccountEmail: '98765432101-compute@developer.gserviceaccount.com' } },
        200,
        { name: 'projects/acme-prod-1234/locations/us-central1/operations/operation-1' },
      ),
      raw('https://run.googleapis.com/v2/projects/98765432101/locations/us-central1/services/f', {}, '', 200, {
        name: 'projects/acme-prod-1234/x',
      }),
    ])
    const [first, second] = exchanges
    expect(first?.request.path).toBe('/v2/projects/<project-id>/locations/us-central1/functions')
    expect(first?.request.headers).toEqual({ authorization: 'Bearer <token>', 'content-type': 'application/json' })
    expect(first?.request.body).toEqual({
      json: { serviceConfig: { serviceAccountEmail: '<project-number>-compute@developer.gserviceaccount.com' } },
    })
    expect(first?.response?.body).toEqual({
      json: { name: 'projects/<project-id>/locations/us-central1/operations/operation-1' },
    })
    expect(second?.request.path).toBe('/v2/projects/<project-number>/locations/us-central1/services/f')
    expect(JSON.stringify(exchanges)).not.toContain('acme-prod-1234')
  })

  it('replaces Azure subscription ids, keys in answers and SAS signatures, and keeps paging tokens', () => {
    const subscription = '3f2b1c9e-1111-4a2b-9c3d-8e7f6a5b4c3d'
    const key = 'Zm9vYmFyYmF6cXV4c2VjcmV0a2V5dmFsdWU9PQ=='
    const scrubber = new Scrubber()
    const [keys, blob] = scrubber.scrubAll([
      raw(
        `https://management.azure.com/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/listKeys?api-version=2023-05-01`,
        {},
        '',
        200,
        {
          keys: [{ keyName: 'key1', value: key, permissions: 'FULL' }],
          primaryKey: key,
          connectionString: `DefaultEndpointsProtocol=https;AccountName=st;AccountKey=${key}`,
          nextLink: null,
          continuationToken: 'page-2-token-abc',
        },
      ),
      raw(`https://st.blob.core.windows.net/c/app.zip?sv=2022-11-02&se=2026-12-08&sp=r&sig=abcDEF%2B123secret`, {}, '', 201, ''),
    ])
    const text = JSON.stringify([keys, blob])
    expect(text).not.toContain(subscription)
    expect(text).not.toContain(key)
    expect(text).not.toContain('abcDEF')
    expect(keys?.request.path).toContain('/subscriptions/<subscription-id>/resourceGroups/rg/')
    expect(keys?.response?.body).toMatchObject({ json: { primaryKey: '<secret>', continuationToken: 'page-2-token-abc' } })
    expect(blob?.request.query).toEqual([
      ['sv', '2022-11-02'],
      ['se', '2026-12-08'],
      ['sp', 'r'],
      ['sig', '<signature>'],
    ])
    // A value answered by one exchange is a secret wherever it shows later.
    expect(scrubber.secrets.map((s) => s.value)).toContain(key)
  })

  it('replaces presigned URL signatures inside bodies (GetFunction Code.Location)', () => {
    const [exchange] = new Scrubber().scrubAll([
      raw('https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f', {}, '', 200, {
        Code: {
          Location:
            'https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/210987654321/f-1?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEBAaCXVz&X-Amz-Signature=0123abcd',
        },
        Configuration: { FunctionArn: 'arn:aws:lambda:eu-west-1:210987654321:function:f' },
      }),
    ])
    expect(exchange?.response?.body).toEqual({
      json: {
        Code: {
          Location:
            'https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/<account-id>/f-1?X-Amz-Security-Token=<signature>&X-Amz-Signature=<signature>',
        },
        Configuration: { FunctionArn: 'arn:aws:lambda:eu-west-1:<account-id>:function:f' },
      },
    })
  })
})

describe('kept response headers', () => {
  it('are the common ones plus those the recorded provider names (its ProviderFidelity.responseHeaders)', () => {
    const answer = (scrubber: Scrubber) =>
      scrubber.scrubAll([
        raw('https://api.example.test/op', {}, '', 202, '', { 'x-op-status': 'https://api.example.test/s/1', 'x-other': 'x' }),
      ])[0]?.response?.headers
    expect(answer(new Scrubber())).toEqual({})
    expect(answer(new Scrubber([], { responseHeaders: ['x-op-status'] }))).toEqual({
      'x-op-status': 'https://api.example.test/s/1',
    })
  })
})

describe('polls', () => {
  it('marks a GET repeating the one before it, never a repeated invoke', () => {
    const url = 'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f'
    const get = (): RawExchange => ({ request: { method: 'GET', url, headers: {}, body: bytes('') } })
    const invoke = (): RawExchange => ({ request: { method: 'POST', url: `${url}/invocations`, headers: {}, body: bytes('{}') } })
    const exchanges = new Scrubber().scrubAll([get(), get(), get(), invoke(), invoke()])
    expect(exchanges.map((e) => e.poll ?? false)).toEqual([false, true, true, false, false])
  })
})

describe('the transcript validator', () => {
  const valid = {
    format: 'cloudfn-transcript/1',
    provider: 'aws',
    scenario: 's',
    source: { kind: 'converted', origin: 'x' },
    exchanges: [
      {
        request: { method: 'GET', host: 'h', path: '/a', query: [['q', '1']], headers: {}, body: null },
        response: { status: 200, headers: {}, body: { json: {} } },
      },
      { request: { method: 'GET', host: 'h', path: '/a', query: [['q', '1']], headers: {}, body: null }, poll: true },
    ],
  }

  it('accepts a transcript and returns it typed', () => {
    expect(parseTranscript(valid).exchanges[1]?.poll).toBe(true)
  })

  it.each([
    [{ ...valid, format: 'other/1' }, 'x.format: expected "cloudfn-transcript/1"'],
    [{ ...valid, source: { kind: 'guessed' } }, 'x.source.kind'],
    [
      { ...valid, exchanges: [{ ...valid.exchanges[0], request: { ...valid.exchanges[0]?.request, path: 'a' } }] },
      'x.exchanges[0].request.path: must start with /',
    ],
    [
      { ...valid, exchanges: [{ request: valid.exchanges[0]?.request, response: { status: 42 } }] },
      'x.exchanges[0].response.status',
    ],
    [
      { ...valid, exchanges: [{ request: { ...valid.exchanges[0]?.request, headers: { Accept: 'x' } } }] },
      'header names are lower-case',
    ],
    [
      { ...valid, exchanges: [{ request: { ...valid.exchanges[0]?.request, body: { json: 1, text: 'x' } } }] },
      'exactly one of json, text, base64',
    ],
    [
      {
        ...valid,
        exchanges: [valid.exchanges[0], { ...valid.exchanges[1], request: { ...valid.exchanges[0]?.request, path: '/b' } }],
      },
      'a poll repeats the request',
    ],
  ])('refuses %#, naming where', (value, message) => {
    expect(() => parseTranscript(value, 'x')).toThrow(TranscriptError)
    expect(() => parseTranscript(value, 'x')).toThrow(message)
  })
})

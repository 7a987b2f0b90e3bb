import { describe, expect, it } from 'vitest'
import { http } from '../../src/triggers/http.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { type ErrorContext, isRoleNotAssumable, toCloudfnError } from './errors.ts'
import { decodeDescription, encodeDescription, hexFromBase64, toRecord } from './record.ts'

function sdkError(name: string, status: number | undefined, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status }, ...extra })
}

const control: ErrorContext = { operation: 'deploy', resource: 'fn', phase: 'control' }
const invoke: ErrorContext = { operation: 'invoke', resource: 'fn', phase: 'invoke', requestLimitBytes: 6291456 }

describe('aws error mapping', () => {
  it.each([
    ['ResourceNotFoundException', 404, control, { code: 'NotFound', resource: 'fn' }],
    ['NoSuchEntity', 404, control, { code: 'NotFound' }],
    ['ResourceConflictException', 409, control, { code: 'Conflict', isRetryable: true }],
    ['ResourceConflictException', 409, invoke, { code: 'ProviderError', notExecuted: true }],
    ['QueueDeletedRecently', 400, control, { code: 'Conflict', isRetryable: true, retryAfterMs: 60_000 }],
    ['AWS.SimpleQueueService.QueueDeletedRecently', 400, control, { code: 'Conflict', retryAfterMs: 60_000 }],
    ['ResourceNotReadyException', 502, invoke, { code: 'ProviderError', notExecuted: true }],
    ['TooManyRequestsException', 429, invoke, { code: 'Throttled', isRetryable: true }],
    ['ThrottlingException', 400, control, { code: 'Throttled' }],
    ['Throttling', 400, control, { code: 'Throttled' }],
    ['RequestTooLargeException', 413, invoke, { code: 'PayloadTooLarge', direction: 'request', limitBytes: 6291456 }],
    ['AccessDeniedException', 403, control, { code: 'Unauthorized', isRetryable: false }],
    ['UnrecognizedClientException', 403, control, { code: 'Unauthorized' }],
    ['ExpiredTokenException', 400, control, { code: 'Unauthorized' }],
    ['CredentialsProviderError', undefined, control, { code: 'Unauthorized' }],
    ['ServiceException', 500, control, { code: 'ProviderError', status: 500, isRetryable: true }],
    ['ServiceException', 500, invoke, { code: 'ProviderError', status: 500, notExecuted: false }],
    ['InvalidParameterValueException', 400, control, { code: 'ProviderError', status: 400, isRetryable: false }],
    ['CodeStorageExceededException', 400, control, { code: 'ProviderError', isRetryable: false }],
  ] as const)('%s (HTTP %s, %o) → %o', (name, status, context, expected) => {
    const mapped = toCloudfnError(sdkError(name, status), context)
    expect(mapped).toMatchObject({ provider: 'aws', ...expected })
    expect(mapped.cause).toBeInstanceOf(Error)
  })

  it('reads Retry-After from the exception or the raw headers', () => {
    expect(toCloudfnError(sdkError('TooManyRequestsException', 429, { retryAfterSeconds: '4' }), invoke).retryAfterMs).toBe(4000)
    const fromHeaders = sdkError('ThrottlingException', 400, { $response: { headers: { 'retry-after': '2' } } })
    expect(toCloudfnError(fromHeaders, control).retryAfterMs).toBe(2000)
  })

  it('treats the IAM propagation error as retryable, and other invalid parameters as final', () => {
    const role = sdkError('InvalidParameterValueException', 400)
    role.message = 'The role defined for the function cannot be assumed by Lambda.'
    expect(isRoleNotAssumable(role)).toBe(true)
    expect(toCloudfnError(role, control)).toMatchObject({ code: 'ProviderError', isRetryable: true })
  })

  it('marks only refused connections as not executed', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:443'), { code: 'ECONNREFUSED', $metadata: {} })
    expect(toCloudfnError(refused, invoke)).toMatchObject({ code: 'ProviderError', notExecuted: true, isRetryable: true })
    const reset = Object.assign(new TypeError('Network error'), { $metadata: {} })
    const mapped = toCloudfnError(reset, invoke)
    expect(mapped).toMatchObject({ code: 'ProviderError', notExecuted: false })
    expect(mapped.message).toMatch(/may have run/)
  })

  it('keeps keys out of messages even when the SDK quotes them', () => {
    const leaky = sdkError('UnrecognizedClientException', 403)
    leaky.message = 'The security token included in the request is invalid: AKIAIOSFODNN7EXAMPLE'
    expect(toCloudfnError(leaky, control).message).not.toContain('AKIAIOSFODNN7EXAMPLE')
  })
})

describe('aws records', () => {
  it('round-trips the description marker with each trigger kind, and ignores foreign descriptions', () => {
    const hash = 'a'.repeat(64)
    const triggers = [
      http({ auth: 'iam', methods: ['GET', 'POST'] }),
      schedule('0 9 * * MON-FRI', { timezone: 'Asia/Kolkata' }),
      queue({ name: 'jobs', batchSize: 10, maxRetries: 0, deadLetter: 'jobs-failed' }),
      queue(),
      undefined,
    ]
    for (const trigger of triggers) {
      expect(decodeDescription(encodeDescription({ configHash: hash, trigger }))).toEqual({ configHash: hash, trigger })
    }
    // Functions deployed with the former providerOptions.aws.url: their URL goes on the next update.
    expect(decodeDescription(`cloudfn:v1 config=${hash} url=NONE`)).toEqual({
      configHash: hash,
      trigger: undefined,
      legacyUrl: true,
    })
    expect(decodeDescription(`cloudfn:v1 config=${hash} trigger=queue;0;1`)).toEqual({ configHash: hash, trigger: undefined })
    expect(decodeDescription('my function')).toBeUndefined()
    expect(decodeDescription(undefined)).toBeUndefined()
  })

  it("turns Lambda's configuration into a record with hex hashes, ISO times and env names only", () => {
    const sha = Buffer.from('b'.repeat(64), 'hex').toString('base64')
    const record = toRecord({
      FunctionName: 'f',
      MemorySize: 256,
      Timeout: 30,
      CodeSha256: sha,
      Environment: { Variables: { B: 'secret', A: 'x' } },
      LastModified: '2026-01-02T03:04:05.678+0000',
      Description: encodeDescription({ configHash: 'c'.repeat(64), trigger: undefined }),
    })
    expect(record).toEqual({
      name: 'f',
      provider: 'aws',
      memoryMb: 256,
      timeoutSec: 30,
      envKeys: ['A', 'B'],
      codeHash: 'b'.repeat(64),
      configHash: 'c'.repeat(64),
      url: undefined,
      trigger: undefined,
      updatedAt: '2026-01-02T03:04:05.678Z',
    })
    expect(hexFromBase64(sha)).toBe('b'.repeat(64))
  })
})

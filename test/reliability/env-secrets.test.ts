/**
 * Env values are secrets whatever their names: every value given to
 * defineFunction / withOverrides is redacted by value from every error
 * (message, stack, String, inspect, JSON, cause), wherever the error came
 * from; the env is measured as the strictest cloud measures it (Lambda: the
 * JSON it stores, https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)
 * and refused before anything is sent; the emulators' unhandled-request
 * report names the method and URL, never the body.
 */
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAwsEmulator } from '../../providers/aws/emulator/index.ts'
import { local } from '../../providers/local/index.ts'
import { defineFunction, FunctionError, ProviderError, withOverrides } from '../../src/index.ts'

const PASSWORD = 'pW-9f8e7d6c5b4a'
const DATABASE_URL = `postgres://app:${PASSWORD}@db.internal:5432/app`

/** Every way an error is shown or kept. */
function renderings(error: unknown): string {
  const fields = error as { stack?: string; remoteStack?: string; cause?: unknown }
  return [
    String(error),
    fields.stack,
    inspect(error, { depth: 5 }),
    JSON.stringify(error),
    fields.remoteStack,
    inspect(fields.cause),
  ].join('\n')
}

describe('env values in errors', () => {
  it('are redacted by value from a handler error, whatever the variable is called', async () => {
    const leaky = defineFunction({
      name: 'leaky',
      env: { DATABASE_URL },
      handler: () => {
        throw new Error(`connect failed for ${process.env.DATABASE_URL}`)
      },
    })
    const error = await (await local().deploy(leaky)).invoke(null).catch((e: unknown) => e)
    expect(FunctionError.isInstance(error)).toBe(true)
    expect((error as FunctionError).remoteMessage).toBe('connect failed for [redacted]')
    const shown = renderings(error)
    expect(shown).not.toContain(PASSWORD)
    expect(shown).not.toContain('db.internal')
  })

  it('are redacted from errors a cloud or its SDK raises, quoted whole, in JSON, or cut short', () => {
    withOverrides(defineFunction({ name: 'quoted', handler: () => null }), { env: { DATABASE_URL, NOTE: 'say "hi"\\there' } })
    const cloudMessage = `Lambda was unable to configure your environment variables. String measured: {"DATABASE_URL":"${DATABASE_URL.slice(0, 30)}`
    const sdkError = Object.assign(new Error(`${cloudMessage} and ${JSON.stringify({ NOTE: 'say "hi"\\there' })}`), {
      $metadata: { httpStatusCode: 400 },
    })
    const error = new ProviderError({ provider: 'aws', message: `Deploy failed: ${DATABASE_URL}`, cause: sdkError })
    const shown = renderings(error)
    expect(shown).not.toContain(PASSWORD)
    expect(shown).not.toContain(DATABASE_URL.slice(0, 30))
    expect(shown).not.toContain('say \\"hi\\"')
    expect(error.message).toBe('Deploy failed: [redacted]')
  })

  it('are not found in text that only shares their start (names made from one run id)', () => {
    // The conformance suite names every resource `<run id><n>-<what>` and gives one of those names to a
    // subscriber as env: the other names of the run must stay readable, or messages naming them are useless.
    const subscriber = 'cf0325e03x-failing'
    withOverrides(defineFunction({ name: 'prefixed', handler: () => null }), { env: { SUBSCRIBER: subscriber } })
    const error = new ProviderError({
      provider: 'aws',
      message: `queue 'cf0325e031-theirs' exists, function cf0325e0-healthy failed; ${subscriber} and "${subscriber.slice(0, 12)}" did not`,
    })
    expect(error.message).toBe(
      `queue 'cf0325e031-theirs' exists, function cf0325e0-healthy failed; [redacted] and "[redacted]" did not`,
    )
  })
})

describe('env checks before sending', () => {
  it("measures the env as Lambda does: the JSON's bytes, not the names and values alone", () => {
    // 42 variables of 96 bytes of name and value: 4,032 bytes, but 4,285 as JSON.
    const env = Object.fromEntries(Array.from({ length: 42 }, (_, i) => [`VAR_${String(i).padStart(2, '0')}`, 'x'.repeat(90)]))
    expect(() => defineFunction({ name: 'big-env', env, handler: () => null })).toThrow(
      /env must total at most 4096 bytes as AWS Lambda measures it, the JSON of the variables \(got 4\d{3}\)/,
    )
  })

  it.each([
    ['_X_AMZN_TRACE_ID', { _X_AMZN_TRACE_ID: 'x' }, /env._X_AMZN_TRACE_ID is reserved/],
    // Already refused by prefix; listed so each cloud's reserved names stay covered.
    ['AWS_REGION (Lambda)', { AWS_REGION: 'x' }, /env.AWS_REGION is reserved/],
    ['LAMBDA_TASK_ROOT (Lambda)', { LAMBDA_TASK_ROOT: 'x' }, /env.LAMBDA_TASK_ROOT is reserved/],
    ['K_SERVICE (Cloud Run)', { K_SERVICE: 'x' }, /env.K_SERVICE is reserved/],
    ['FUNCTION_TARGET (Cloud Functions)', { FUNCTION_TARGET: 'x' }, /env.FUNCTION_TARGET is reserved/],
    ['FUNCTIONS_WORKER_RUNTIME (Azure)', { FUNCTIONS_WORKER_RUNTIME: 'x' }, /env.FUNCTIONS_WORKER_RUNTIME is reserved/],
    ['WEBSITE_RUN_FROM_PACKAGE (Azure)', { WEBSITE_RUN_FROM_PACKAGE: 'x' }, /env.WEBSITE_RUN_FROM_PACKAGE is reserved/],
    ['AzureWebJobsStorage (Azure)', { AzureWebJobsStorage: 'x' }, /env.AzureWebJobsStorage is reserved/],
    ['__proto__', JSON.parse('{"__proto__": "x"}'), /env.__proto__ is not a usable variable name/],
    ['a Map', new Map([['KEY', 'value']]), /env must be a plain object \(got a Map\)/],
  ])('refuses %s', (_what, env, message) => {
    expect(() => defineFunction({ name: 'env-check', env, handler: () => null })).toThrow(message)
  })
})

describe('emulator unhandled requests', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    vi.restoreAllMocks()
  })

  it('are reported by method and URL, never with their body or query', async () => {
    const emulator = createAwsEmulator({ region: 'eu-west-1' })
    emulator.listen()
    close = () => emulator.close()
    const printed: string[] = []
    for (const method of ['error', 'warn', 'log'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '))
      })
    }
    const body = 'grant_type=refresh_token&refresh_token=1//FAKE-refresh-DoNotLeak&client_secret=FAKE-client-secret'
    // msw answers the failed frame with a 500 of its own (or the fetch rejects): never the network.
    const response = await fetch('https://oauth2.example.test/token?code=FAKE-code-DoNotLeak', { method: 'POST', body }).catch(
      () => undefined,
    )
    expect(response?.ok ?? false).toBe(false)
    const output = printed.join('\n')
    expect(output).toContain('POST https://oauth2.example.test/token')
    expect(output).not.toContain('DoNotLeak')
    expect(output).not.toContain('client_secret')
  })
})

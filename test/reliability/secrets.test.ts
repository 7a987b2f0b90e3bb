/**
 * Recognizable fake secrets configured into every provider and emulator never
 * show in what cloudfn gives back or prints: thrown errors (message, stack,
 * toJSON, util.inspect with their causes), handles, results, logs, and
 * console output during deploys, invokes and failures (401/403/500, throttling).
 */
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { echo, fail, logger } from '../../conformance/fixtures/functions.ts'
import { writeFigures } from '../../conformance/targets/faulty.ts'
import { createAwsEmulator } from '../../providers/aws/emulator/index.ts'
import { createAwsProvider } from '../../providers/aws/index.ts'
import { startKit } from '../../providers/azure/__fixtures__/test-kit.ts'
import { startEmulated } from '../../providers/gcp/__fixtures__/setup.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import { CloudfnError } from '../../src/errors/cloudfn-error.ts'

const SECRETS = {
  awsSecretAccessKey: 'FAKEawsSECRETkeyDoNotLeak/0123456789abcdefGHIJ',
  awsSessionToken: 'FAKEawsSESSIONtokenDoNotLeak0123456789abcdefGHIJKLMN',
  googleAccessToken: 'ya29.FAKEgoogleACCESStokenDoNotLeak0123456789',
  googleBadIdToken: 'FAKEgoogleIDtokenDoNotLeak0123456789',
  azureFunctionKey: 'FAKEazureFUNCTIONkeyDoNotLeak0123456789==',
  azureArmToken: 'FAKEazureARMtokenDoNotLeak0123456789',
}

/** Failures a cloud's emulator can be made to give, on invoke and on the control plane. */
interface Kit {
  cloud: Cloud
  failures: Record<string, () => void>
  /** Drops injected faults a failure did not use up. */
  clear(): void
  close(): Promise<void>
}

async function awsKit(): Promise<Kit> {
  const emulator = createAwsEmulator({ region: 'eu-west-1', stateDelayMs: 1, updateDelayMs: 1 })
  emulator.listen()
  const credentials = {
    accessKeyId: 'AKIAFAKEACCESSKEYID1',
    secretAccessKey: SECRETS.awsSecretAccessKey,
    sessionToken: SECRETS.awsSessionToken,
  }
  const provider = createAwsProvider({ region: 'eu-west-1', credentials, pollIntervalMs: 2 })
  const { faults } = emulator
  const status = (operation: string, code: number) => () => faults.inject({ on: operation, kind: 'server-error', status: code })
  return {
    cloud: createCloud(provider, { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 } }),
    failures: {
      'invoke 500': status('Invoke', 500),
      'invoke 401': status('Invoke', 401),
      'invoke 403': status('Invoke', 403),
      'invoke throttled': () => faults.inject({ on: 'Invoke', kind: 'throttle', times: 2, retryAfterSec: 0 }),
      'get 403': status('GetFunction', 403),
      'get 500': status('GetFunction', 500),
      'get throttled': () => faults.inject({ on: 'GetFunction', kind: 'throttle', times: 2, retryAfterSec: 0 }),
    },
    clear: () => faults.clear(),
    close: () => emulator.close(),
  }
}

async function gcpKit(): Promise<Kit> {
  const kit = await startEmulated()
  kit.authClient.setCredentials({ access_token: SECRETS.googleAccessToken, expiry_date: Date.now() + 3_600_000 })
  let badIdToken = false
  const provider = kit.providerWith(async (audience) =>
    badIdToken ? SECRETS.googleBadIdToken : kit.emulator.idTokenProvider(audience),
  )
  const { faults } = kit.emulator
  return {
    cloud: kit.cloudWith({ maxAttempts: 2 }, provider),
    failures: {
      'invoke 401 (bad ID token)': () => {
        badIdToken = true
      },
      'invoke 500': () => {
        badIdToken = false
        faults.inject({ on: 'invoke', kind: 'server-error', status: 500 })
      },
      'invoke throttled': () => faults.inject({ on: 'invoke', kind: 'throttle', times: 2, retryAfterSec: 0 }),
      'get 500': () => faults.inject({ on: 'control', kind: 'server-error', status: 500, times: 2 }),
      'get throttled': () => faults.inject({ on: 'control', kind: 'throttle', times: 2, retryAfterSec: 0 }),
    },
    clear: () => faults.clear(),
    close: () => kit.emulator.close(),
  }
}

async function azureKit(): Promise<Kit> {
  const kit = startKit({
    emulator: { secrets: { functionKey: SECRETS.azureFunctionKey } },
    token: SECRETS.azureArmToken,
    retry: { maxAttempts: 2 },
  })
  const { faults } = kit.emulator
  const status = (target: 'arm' | 'host', code: number) => () =>
    faults.inject({ on: target, kind: 'server-error', status: code, times: 2 })
  return {
    cloud: kit.cloud,
    failures: {
      'invoke 500': status('host', 500),
      'invoke 401': status('host', 401),
      'invoke 403': status('host', 403),
      'invoke throttled': () => faults.inject({ on: 'host', kind: 'throttle', retryAfterSec: 0, times: 2 }),
      'get 401': status('arm', 401),
      'get 403': status('arm', 403),
      'get 500': status('arm', 500),
      'get throttled': () => faults.inject({ on: 'arm', kind: 'throttle', retryAfterSec: 0, times: 2 }),
    },
    clear: () => faults.clear(),
    close: kit.close,
  }
}

/** Everything cloudfn printed while `run` ran: console calls and direct writes to stdout and stderr. */
async function capturingOutput(run: () => Promise<void>): Promise<string[]> {
  const printed: string[] = []
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((arg) => inspect(arg, { depth: 10 })).join(' '))
      }),
    ),
    ...[process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        printed.push(String(chunk))
        return true
      }),
    ),
  ]
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return printed
}

const figures: Record<string, { texts: number; errors: number }> = {}
const errorsOf: Record<string, CloudfnError[]> = {}

/** Every string reachable through own properties (what a logger's error serializer or vitest prints of a cause). */
function reachableStrings(value: unknown, seen = new Set<unknown>(), out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  if (typeof value !== 'object' || value === null || seen.has(value)) return out
  seen.add(value)
  if (value instanceof Map || value instanceof Set) reachableStrings([...value.entries()], seen, out)
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function' && !CloudfnError.isInstance(value)) reachableStrings(toJSON.call(value), seen, out)
  for (const key of Reflect.ownKeys(value)) {
    try {
      reachableStrings((value as Record<string | symbol, unknown>)[key], seen, out)
    } catch {
      // A getter that throws has nothing to leak.
    }
  }
  return out
}

/** Leaks through causes this suite has found and that are not fixed yet (none: causes are scrubbed copies). */
const KNOWN_CAUSE_LEAKS: Record<string, string> = {}

afterEach(() => writeFigures('secrets', figures))

describe.each([
  ['aws', awsKit],
  ['gcp', gcpKit],
  ['azure', azureKit],
])('secrets never leak: %s', (cloudName, start) => {
  it('from deploys, invokes, logs and failures', async () => {
    const kit = await start()
    const texts: string[] = []
    const errors: CloudfnError[] = []
    const show = (value: unknown) => texts.push(JSON.stringify(value) ?? '', inspect(value, { depth: 10 }))
    const caught = async (promise: Promise<unknown>) => {
      try {
        show(await promise)
      } catch (error) {
        if (!CloudfnError.isInstance(error)) throw error
        errors.push(error)
        texts.push(error.message, String(error.stack), JSON.stringify(error), inspect(error, { depth: 10 }))
      }
    }
    const printed = await capturingOutput(async () => {
      try {
        const fn = await kit.cloud.deploy(echo, { name: 'secret-echo' })
        const failing = await kit.cloud.deploy(fail, { name: 'secret-fail' })
        const logging = await kit.cloud.deploy(logger, { name: 'secret-logger' })
        show(fn)
        show(await kit.cloud.list())
        show(await kit.cloud.get('secret-echo'))
        show(await fn.invokeDetailed({ hello: 'world' }))
        show(await logging.invokeDetailed({ marker: 'm' }, { logs: kit.cloud.capabilities.logs }))
        if (kit.cloud.capabilities.logs) show(await logging.logs())
        await caught(failing.invoke({ message: 'boom' }))
        await caught(kit.cloud.get('missing-function'))
        for (const [what, inject] of Object.entries(kit.failures)) {
          inject()
          texts.push(what)
          await caught(what.startsWith('invoke') ? fn.invoke({ n: 1 }) : kit.cloud.get('secret-echo'))
          kit.clear()
        }
        await caught(fn.invoke({ n: 2 }))
        await fn.remove()
        await failing.remove()
        await logging.remove()
      } finally {
        await kit.close()
      }
    })
    // Every injected failure surfaced as an error (so the check covers them), bar retried throttles.
    expect(errors.length).toBeGreaterThanOrEqual(2)
    const all = [...texts, ...printed].join('\n')
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(all.includes(secret), `${name} leaked`).toBe(false)
      // Parts long enough to be recognisable on their own (e.g. a token cut by a redaction or a line break).
      expect(all.includes(secret.slice(4, 24)), `part of ${name} leaked`).toBe(false)
    }
    figures[cloudName] = { texts: texts.length + printed.length, errors: errors.length }
    errorsOf[cloudName] = errors
  })

  const known = KNOWN_CAUSE_LEAKS[cloudName]
  ;(known ? it.fails : it)(
    `nor from the causes of errors, walked as plain data${known ? ` (known defect: ${known})` : ''}`,
    () => {
      const all = (errorsOf[cloudName] ?? []).flatMap((error) => reachableStrings(error)).join('\n')
      for (const [name, secret] of Object.entries(SECRETS)) expect(all.includes(secret), `${name} leaked`).toBe(false)
    },
  )
})

/**
 * The harness of the differential tests that hold an emulated Storage
 * service against Microsoft's Azurite (the `azurite` devDependency, one of
 * its servers started in-process on loopback): each step runs against both,
 * and its outcome (status, error code, first line of the message, the fields
 * the SDK returns) must match, except the differences a test lists with their
 * reasons (checked to still differ, so the list cannot go stale).
 * Used by emulator/queue-service.azurite.test.ts and blob-service.azurite.test.ts.
 */
import { createRequire } from 'node:module'
import { http, passthrough } from 'msw'
import { expect, it } from 'vitest'
import type { AzureEmulator } from '../emulator/index.ts'
import { key } from '../emulator/state.ts'

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1'
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
/** A key no account has. */
export const WRONG_KEY = Buffer.from('not-the-account-key').toString('base64')

export type Outcome = Record<string, unknown>

export interface Step<T> {
  name: string
  run(target: T): Promise<Outcome>
}

export interface AzuriteServer {
  start(): Promise<void>
  close(): Promise<void>
  getHttpServerAddress(): string
}

/** What the SDK surfaces of a failed call: status, error code and the message's first line. */
export function failure(error: unknown): Outcome {
  const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string }
  return { status: statusCode, code, message: String(message ?? '').split('\n')[0] }
}

export async function outcome<T>(step: Step<T>, target: T): Promise<Outcome> {
  try {
    return await step.run(target)
  } catch (error) {
    return failure(error)
  }
}

/**
 * Starts Azurite's blob or queue server on a free loopback port, in memory.
 * Azurite ships CommonJS without types; the server is constructed as its own
 * CLI does: (host, port, keepAlive, metadata DB, extent DB, persistence paths,
 * access log, log stream, debug log, debug log path, loose, skipApiVersionCheck,
 * cert, key, pwd, oauth, disableProductStyleUrl, memory persistence). The SDKs
 * send a service version newer than Azurite knows; that check is skipped, the
 * rest is strict. (Azurite's telemetry starts only from its CLI, never for an
 * in-process server.)
 */
export async function startAzurite(kind: 'blob' | 'queue'): Promise<AzuriteServer> {
  const require = createRequire(import.meta.url)
  const Kind = kind === 'blob' ? 'Blob' : 'Queue'
  const Server = require(`azurite/dist/src/${kind}/${Kind}Server.js`).default as new (configuration: unknown) => AzuriteServer
  const Configuration = require(`azurite/dist/src/${kind}/${Kind}Configuration.js`).default as new (...args: unknown[]) => unknown
  const configuration = new Configuration(
    '127.0.0.1',
    0,
    undefined,
    undefined,
    undefined,
    undefined,
    false,
    undefined,
    false,
    undefined,
    false,
    true,
    '',
    '',
    '',
    undefined,
    false,
    true,
  )
  const server = new Server(configuration)
  await server.start()
  return server
}

/** Gives the emulator a storage account of that name and key, and lets requests to Azurite on loopback through. */
export function beside(emulator: AzureEmulator, account: string, accountKey: string): void {
  emulator.state.storageAccounts.set(key('rg', account), {
    name: account,
    resourceGroup: 'rg',
    location: 'westeurope',
    keys: [accountKey, Buffer.from('second-key').toString('base64')],
    containers: new Set(),
    queues: new Map(),
    tags: {},
  })
  // Anything else unhandled still fails.
  emulator.listen().use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()))
}

/** One test per step comparing the two outcomes, and one that the step names are distinct. */
export function compareOutcomes(
  steps: ReadonlyArray<{ name: string }>,
  results: ReadonlyMap<string, { azurite: Outcome; emulator: Outcome }>,
  knownDifferences: Readonly<Record<string, string>>,
): void {
  it.each(steps.map((each) => [each.name]))('%s', (name) => {
    const result = results.get(name)
    if (!result) throw new Error(`step '${name}' did not run`)
    const reason = knownDifferences[name]
    if (reason) expect(result.emulator, reason).not.toEqual(result.azurite)
    else expect(result.emulator).toEqual(result.azurite)
  })

  it('ran steps with distinct names', () => {
    expect(new Set(steps.map((each) => each.name)).size).toBe(steps.length)
  })
}

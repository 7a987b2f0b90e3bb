/**
 * The emulated host against the Node worker's contract
 * (github:Azure/azure-functions-nodejs-worker: src/errors.ts, src/startApp.ts,
 * src/coreApi/registerFunction.ts, src/eventHandlers/InvocationHandler.ts) with
 * the real `@azure/functions` library loaded by the app.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { packageFile } from '../../../src/package/package-root.ts'
import { type AppRuntime, createAppRuntime } from './app-runtime.ts'
import type { HostHttpRequest } from './protocol.ts'
import { queueTriggerMetadata } from './trigger-metadata.ts'

let runtime: AppRuntime | undefined
afterEach(async () => {
  await runtime?.retire()
  runtime = undefined
})

async function start(app: 'contract' | 'broken'): Promise<AppRuntime> {
  const directory = packageFile(`providers/azure/__fixtures__/worker-apps/${app}`)
  runtime = await createAppRuntime({
    app,
    directory,
    entryFile: join(directory, 'index.mjs'),
    env: {},
    memoryMb: 512,
    timeoutSec: 60,
    maxInstances: 1,
  })
  return runtime
}

const get = (path: string): HostHttpRequest => ({
  method: 'GET',
  url: `https://app.azurewebsites.net/${path}`,
  headers: {},
  query: Object.fromEntries(new URL(`https://x/${path}`).searchParams),
  body: new Uint8Array(),
})

async function text(app: AppRuntime, name: string, path: string): Promise<string> {
  const outcome = await app.invoke(name, 'id', get(path), () => {})
  if (outcome.kind !== 'response') throw new Error(`${name}: ${outcome.kind} ${'message' in outcome ? outcome.message : ''}`)
  return new TextDecoder().decode(outcome.response.body)
}

describe('the emulated host keeps the Node worker contract', () => {
  it('gives a queue function its trigger metadata, camel-cased by the library', async () => {
    const app = await start('contract')
    expect('functions' in (await app.index())).toBe(true)
    const message = {
      id: 'b2c5e9b4-0000-4000-8000-000000000001',
      popReceipt: 'AgAAAAMAAAAAAAAA',
      dequeueCount: 2,
      insertedAt: Date.UTC(2026, 0, 5, 8, 0, 0),
      expiresAt: Date.UTC(2026, 0, 12, 8, 0, 0),
      visibleAt: Date.UTC(2026, 0, 5, 8, 10, 0),
    }
    const outcome = await app.trigger('meta', 'inv', { string: '{"a":1}' }, () => {}, queueTriggerMetadata(message, '{"a":1}'))
    expect(outcome).toEqual({ kind: 'done' })
    expect(JSON.parse(await text(app, 'seen', 'seen'))).toEqual({
      message: { a: 1 },
      triggerMetadata: {
        queueTrigger: { a: 1 },
        dequeueCount: 2,
        expirationTime: '2026-01-12T08:00:00+00:00',
        id: 'b2c5e9b4-0000-4000-8000-000000000001',
        insertionTime: '2026-01-05T08:00:00+00:00',
        nextVisibleTime: '2026-01-05T08:10:00+00:00',
        popReceipt: 'AgAAAAMAAAAAAAAA',
      },
    })
  })

  it('fails an invocation for any thrown value but null and undefined, with the worker message', async () => {
    const app = await start('contract')
    await app.index()
    const failure = async (kind: string) => app.invoke('throw', 'id', get(`throw?kind=${kind}`), () => {})
    expect(await failure('zero')).toEqual({ kind: 'failure', message: '0' })
    expect(await failure('empty')).toEqual({ kind: 'failure', message: '' })
    expect(await failure('false')).toEqual({ kind: 'failure', message: 'false' })
    expect(await failure('object')).toEqual({ kind: 'failure', message: '{"code":7}' })
    expect(await failure('string')).toEqual({ kind: 'failure', message: 'plain text' })
    // `isError` is false for undefined: the worker answers as for a handler that returned nothing.
    expect((await failure('undef')).kind).toBe('response')
  })

  it('refuses a registration after start-up', async () => {
    const app = await start('contract')
    await app.index()
    expect(await text(app, 'late', 'late')).toBe('A function can only be registered during app startup.')
  })

  it('reports an entry point that throws while loading as the worker does, blocking the app', async () => {
    const app = await start('broken')
    expect(await app.index()).toEqual({ error: 'Worker was unable to load entry point "index.mjs": not an Error' })
  })
})

/**
 * A third-party emulator can be written with public imports only: the toy
 * emulator next to this file imports nothing of cloudfn but
 * `cloudfn/emulator-kit`, and implements the kit's `Emulator` as the
 * built-in ones do (requests counted, authorised, faulted, handled).
 */
import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { afterEach, describe, expect, it } from 'vitest'
import { createToyEmulator, TOY_ENDPOINT, type ToyEmulator } from './emulator.ts'

let emulator: ToyEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

function start(): ToyEmulator {
  emulator = createToyEmulator()
  emulator.listen()
  return emulator
}

/** A client as a provider for the toy API would be: the settings `connect()` gives, nothing else. */
function clientOf(toy: ToyEmulator) {
  const { endpoint, token } = toy.connect()
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${endpoint}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return {
    deploy: (name: string, answer: unknown) => call('PUT', `/functions/${name}`, answer),
    invoke: (name: string) => call('POST', `/functions/${name}/invoke`),
    list: () => call('GET', '/functions'),
    remove: (name: string) => call('DELETE', `/functions/${name}`),
  }
}

/** The module specifiers a source file imports. */
function importsOf(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest)
  return source.statements.flatMap((statement) =>
    ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) ? [statement.moduleSpecifier.text] : [],
  )
}

describe('a third-party emulator on the public emulator kit', () => {
  it('imports cloudfn only through public package subpaths', () => {
    const exported = Object.keys(
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: object }).exports,
    )
    const specifiers = importsOf(new URL('./emulator.ts', import.meta.url).pathname)
    expect(specifiers).toEqual(['cloudfn/emulator-kit', 'msw'])
    expect(exported).toContain('./emulator-kit')
  })

  it('serves its API through msw to the settings connect() gives, and the probe reads its state', async () => {
    const toy = start()
    const client = clientOf(toy)
    expect((await client.deploy('hello', { greeting: 'hi' })).status).toBe(200)
    expect(await (await client.invoke('hello')).json()).toEqual({ greeting: 'hi' })
    expect(await (await client.list()).json()).toEqual({ functions: ['hello'] })
    const probe = toy.probe()
    expect(await probe.exists('hello')).toBe(true)
    expect(await probe.executions('hello')).toBe(1)
    expect(await probe.functionNames()).toEqual(['hello'])
    // PUT and POST are writes; the GET is not.
    expect([await probe.requestCount(), await probe.writeCount()]).toEqual([3, 2])
    expect((await client.remove('hello')).status).toBe(204)
    expect((await client.invoke('hello')).status).toBe(404)
  })

  it('refuses a request without its token, and one no handler owns never reaches the network', async () => {
    start()
    expect((await fetch(`${TOY_ENDPOINT}/functions`)).status).toBe(401)
    const elsewhere = await fetch('https://example.com/').then(
      (response) => `answered ${response.status}`,
      () => 'rejected',
    )
    expect(elsewhere).toBe('rejected')
  })

  it('answers the kit fault vocabulary: throttle and server error in its own shape, reset and fail-after-run alike', async () => {
    const toy = start()
    const client = clientOf(toy)
    await client.deploy('hello', 'hi')
    toy.faults.injectInvoke('hello', { kind: 'throttle', retryAfterSec: 7 })
    const throttled = await client.invoke('hello')
    expect([throttled.status, throttled.headers.get('retry-after'), await throttled.json()]).toEqual([
      429,
      '7',
      { error: 'TooManyRequests' },
    ])
    toy.faults.inject({ on: 'control', match: /^GET \/functions$/, kind: 'server-error', status: 503, code: 'Busy' })
    const failed = await client.list()
    expect([failed.status, await failed.json()]).toEqual([503, { error: 'Busy', message: 'injected server error' }])
    // A reset runs nothing; fail-after-run runs the function and loses its answer.
    toy.faults.injectInvoke('hello', { kind: 'reset' })
    await expect(client.invoke('hello')).rejects.toThrow()
    expect(toy.state.executions.get('hello')).toBeUndefined()
    toy.faults.injectInvoke('hello', { kind: 'fail-after-run' })
    await expect(client.invoke('hello')).rejects.toThrow()
    expect(toy.state.executions.get('hello')).toBe(1)
    expect(toy.faults.pending).toEqual([])
  })

  it('draws random faults from what it declares survivable, for fault runs', async () => {
    const toy = start()
    const client = clientOf(toy)
    await client.deploy('hello', 'hi')
    const offered: string[][] = []
    toy.faults.injectRandomly(<K extends string>(kinds: readonly K[]) => {
      offered.push([...kinds])
      return kinds[0]
    })
    expect((await client.invoke('hello')).status).toBe(429)
    // The control plane declares nothing survivable: the chooser is offered nothing there.
    expect((await client.list()).status).toBe(200)
    expect(offered).toEqual([['throttle'], []])
    expect(toy.faults.answeredByRandomFault).toBe(1)
  })
})

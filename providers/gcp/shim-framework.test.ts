/**
 * The shim inside the real Functions Framework 5 (its Express server and body
 * parsers, as Cloud Functions runs them), over a loopback socket.
 */
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { web } from './__fixtures__/http-functions.ts'
import { createEntry } from './shim.ts'

type Options = Record<string, unknown>
const require = createRequire(import.meta.url)
// The server and options modules are not in the package's exports: load them by path.
const build = dirname(require.resolve('@google-cloud/functions-framework'))
const { getServer } = require(join(build, 'server.js')) as { getServer(fn: unknown, options: Options): Server }
const { parseOptions } = require(join(build, 'options.js')) as {
  parseOptions(argv: string[], env: Record<string, string>): Options
}

const servers: Server[] = []
async function start(fn: unknown, env: Record<string, string> = {}): Promise<string> {
  const server = getServer(fn, parseOptions(['node', 'functions-framework'], { FUNCTION_TARGET: 'handler', ...env }))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

let base: string
beforeAll(async () => {
  base = await start(createEntry(web))
})
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))))

const described = async (path: string, init: RequestInit) => {
  const response = await fetch(base + path, init)
  return { status: response.status, ...((await response.json()) as { method: string; type: string | null; body: string }) }
}
const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('gcp shim in the Functions Framework', () => {
  it('passes the exact body even when no body parser reads it (no content type, empty, none)', async () => {
    expect(await described('/', { method: 'POST', body: Buffer.from('raw bytes') })).toMatchObject({
      status: 200,
      type: null,
      body: b64('raw bytes'),
    })
    expect(await described('/', { method: 'POST' })).toMatchObject({ status: 200, body: '' })
    expect(await described('/', { method: 'DELETE' })).toMatchObject({ status: 200, method: 'DELETE', body: '' })
    expect(await described('/', { method: 'POST', body: '"x"', headers: { 'content-type': 'text/plain' } })).toMatchObject({
      body: b64('"x"'),
    })
  })
})

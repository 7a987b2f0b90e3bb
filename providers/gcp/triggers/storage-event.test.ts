/**
 * The shim's Cloud Storage events: the neutral event, the prefix/suffix
 * filtering Eventarc cannot do, and (inside the real Functions Framework,
 * signature type `cloudevent`, as Cloud Functions runs an event function)
 * a filtered-out object acknowledged with 2xx, a failed handler with 500.
 */
import { createHash } from 'node:crypto'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defineFunction, type StorageEvent, storage } from '../../../src/index.ts'
import { createEntry } from '../shim.ts'
import { neutralEtag, storageEventOf } from './storage-event.ts'

const require = createRequire(import.meta.url)
const build = dirname(require.resolve('@google-cloud/functions-framework'))
const { getServer } = require(join(build, 'server.js')) as { getServer(fn: unknown, options: object): Server }
const { parseOptions } = require(join(build, 'options.js')) as { parseOptions(argv: string[], env: object): object }

const servers: Server[] = []
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))))

async function serve(fn: unknown): Promise<string> {
  const options = parseOptions(['node', 'functions-framework'], {
    FUNCTION_TARGET: 'handler',
    FUNCTION_SIGNATURE_TYPE: 'cloudevent',
  })
  const server = getServer(fn, options)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

const bytes = new TextEncoder().encode('{"hello":"wörld"}')
const md5 = createHash('md5').update(bytes).digest()
/** The object resource as Cloud Storage's JSON API (and so Eventarc) writes it. */
const object = (name: string) => ({
  kind: 'storage#object',
  name,
  bucket: 'photos',
  generation: '1733563200000000',
  size: String(bytes.byteLength),
  md5Hash: md5.toString('base64'),
  etag: 'CICAgICAgICAAhAB',
  updated: '2026-12-07T09:00:00.000Z',
})
const headers = (type: string, name: string) => ({
  'content-type': 'application/json; charset=utf-8',
  'ce-id': '1234',
  'ce-specversion': '1.0',
  'ce-type': `google.cloud.storage.object.v1.${type}`,
  'ce-source': '//storage.googleapis.com/projects/_/buckets/photos',
  'ce-subject': `objects/${name}`,
  'ce-time': '2026-12-07T09:00:01.000Z',
})

/** The neutral event the handler must get for `key`. */
const neutral = (key: string, type: 'created' | 'deleted') => ({
  bucket: 'photos',
  key,
  size: type === 'created' ? bytes.byteLength : 0,
  etag: type === 'created' ? md5.toString('hex') : '',
  eventTime: '2026-12-07T09:00:01.000Z',
  type,
})

describe('gcp storage events in the shim', () => {
  const trigger = storage({ bucket: 'photos', events: ['created', 'deleted'], prefix: 'in/', suffix: '.json' })

  it('turns the object resource into the neutral event, the etag being md5Hash in hex', () => {
    const event = { type: 'google.cloud.storage.object.v1.finalized', time: '2026-12-07T09:00:01Z', data: object('in/a.json') }
    expect(storageEventOf(trigger, event)).toEqual(neutral('in/a.json', 'created'))
    const deleted = { ...event, type: 'google.cloud.storage.object.v1.deleted' }
    expect(storageEventOf(trigger, deleted)).toEqual(neutral('in/a.json', 'deleted'))
    expect(neutralEtag({ etag: 'CICAgICAgICAAhAB' })).toBe('CICAgICAgICAAhAB')
  })

  it('drops keys outside the prefix and suffix, and event types the trigger did not ask for', () => {
    const finalized = (name: string) => ({ type: 'google.cloud.storage.object.v1.finalized', data: object(name) })
    expect(storageEventOf(trigger, finalized('in/b.txt'))).toBeUndefined()
    expect(storageEventOf(trigger, finalized('out/c.json'))).toBeUndefined()
    const createdOnly = storage({ bucket: 'photos' })
    expect(storageEventOf(createdOnly, { ...finalized('x'), type: 'google.cloud.storage.object.v1.deleted' })).toBeUndefined()
    expect(storageEventOf(createdOnly, { ...finalized('x'), type: 'google.cloud.storage.object.v1.archived' })).toBeUndefined()
  })

  it('under the Functions Framework: runs the handler with the neutral event, acks filtered-out objects with 2xx without running it, and answers 500 when the handler fails', async () => {
    const received: StorageEvent[] = []
    const definition = defineFunction({
      name: 'reader',
      trigger,
      handler: (event: StorageEvent) => {
        received.push(event)
        if (event.key === 'in/fail.json') throw new Error('boom')
        return null
      },
    })
    const base = await serve(createEntry(definition))
    const post = (type: string, name: string) =>
      fetch(base, { method: 'POST', headers: headers(type, name), body: JSON.stringify(object(name)) }).then((r) => r.status)
    expect(await post('finalized', 'in/a.json')).toBe(204)
    expect(await post('finalized', 'in/b.txt')).toBe(204)
    expect(await post('deleted', 'out/c.json')).toBe(204)
    expect(await post('deleted', 'in/a.json')).toBe(204)
    expect(await post('finalized', 'in/fail.json')).toBe(500)
    expect(received).toEqual([
      neutral('in/a.json', 'created'),
      neutral('in/a.json', 'deleted'),
      neutral('in/fail.json', 'created'),
    ])
  })
})

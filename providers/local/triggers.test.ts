import { connect } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineFunction, http, queue, schedule, withOverrides } from '../../src/index.ts'
import { createManualClock } from '../../src/triggers/clock.ts'
import { local } from './index.ts'
import { KEY_HEADER } from './triggers.ts'

// The fake's secrets come from randomBytes: a known value lets the tests look for it.
vi.mock('node:crypto', async (original) => ({
  ...(await original<typeof import('node:crypto')>()),
  randomBytes: (size: number) => Buffer.alloc(size, 7),
}))
const KNOWN_KEY = Buffer.alloc(24, 7).toString('base64url')

const web = defineFunction({
  name: 'web',
  trigger: http({ auth: 'public' }),
  handler: (request) => new Response(new URL(request.url).pathname + (request.headers.get('authorization') ?? '')),
})
const tick = defineFunction({ name: 'tick', trigger: schedule('rate(1 hour)'), handler: () => 'ok' })
let release: () => void = () => {}
const gate = new Promise<void>((resolve) => {
  release = resolve
})
const slow = defineFunction({
  name: 'slow',
  trigger: queue(),
  handler: async (message: number) => {
    await gate
    return message
  },
})

const clouds: Array<ReturnType<typeof local>> = []
function cloud(clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))) {
  const created = Object.assign(local({ clock }), { clock })
  clouds.push(created)
  return created
}
afterEach(async () => {
  for (const created of clouds.splice(0)) await created.triggers.close()
})

describe('local HTTP trigger', () => {
  it('resolves fetch() paths against the URL and refuses URLs elsewhere before sending', async () => {
    const { deploy, store } = cloud()
    const fn = await deploy(web)
    expect(await (await fn.fetch('a/b')).text()).toBe('/a/b')
    expect(await (await fn.fetch(new URL('/c', fn.url))).text()).toBe('/c')
    expect(await (await fn.fetch(new Request(`${fn.url}d?x=1`))).text()).toBe('/d')
    const posted = new Request(`${fn.url}e`, { method: 'POST', body: 'data' })
    expect(await (await fn.fetch(posted, { headers: { 'x-extra': '1' } })).text()).toBe('/e')
    const before = store.requestCount
    await expect(fn.fetch('https://elsewhere.example/')).rejects.toMatchObject({ code: 'InvalidArgument', field: 'input' })
    expect(store.requestCount).toBe(before)
  })

  it('keeps the URL across updates and stops serving after remove', async () => {
    const { deploy } = cloud()
    const first = await deploy(web)
    const second = await deploy(withOverrides(web, { memoryMb: 512 }))
    expect(second.status).toBe('updated')
    expect(second.url).toBe(first.url)
    await second.remove()
    await expect(fetch(first.url as string)).rejects.toThrow()
  })

  it("passes the caller's own Authorization header to a public function", async () => {
    const fn = await cloud().deploy(web)
    expect(await (await fn.fetch('/', { headers: { authorization: 'Bearer app-token' } })).text()).toBe('/Bearer app-token')
  })

  it('answers fetch() in process and refuses outside callers without the key, which the fake never shows', async () => {
    const created = cloud()
    const fn = await created.deploy(withOverrides(web, { trigger: http({ auth: 'key' }) }))
    expect(await (await fn.fetch('/x')).text()).toBe('/x')
    expect((await fetch(fn.url as string, { headers: { [KEY_HEADER]: 'guess' } })).status).toBe(401)
    // randomBytes is stubbed (top of file), so the key is known and can be looked for.
    expect((await fetch(fn.url as string, { headers: { [KEY_HEADER]: KNOWN_KEY } })).status).toBe(200)
    for (const text of [
      JSON.stringify(fn),
      JSON.stringify(created.triggers),
      inspect(created.triggers, { depth: 5, showHidden: true }),
    ]) {
      expect(text).not.toContain(KNOWN_KEY)
    }
  })

  it("answers HEAD without a body, and logs a throwing handler's error that the caller never sees", async () => {
    const created = cloud()
    const fn = await created.deploy(
      defineFunction({
        name: 'moody',
        trigger: http({ auth: 'public' }),
        handler: (request): Response => {
          if (request.method === 'POST') throw new Error('kept for the log')
          return new Response('body')
        },
      }),
    )
    const head = await fn.fetch('/', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await fn.fetch('/', { method: 'POST' })).status).toBe(500)
    expect((await fn.logs()).map((entry) => entry.message).join('\n')).toContain('kept for the log')
  })

  it('survives a client that disconnects in the middle of its request', async () => {
    const fn = await cloud().deploy(web)
    const { port } = new URL(fn.url as string)
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /cut HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\npartial')
        setTimeout(() => {
          socket.destroy()
          resolve()
        }, 20)
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await (await fetch(fn.url as string)).text()).toBe('/')
  })
})

describe('local schedule trigger', () => {
  it('stops firing once the function gets another trigger', async () => {
    const { deploy, clock, store } = cloud()
    await deploy(tick)
    await clock.advance(3_600_000)
    await deploy(withOverrides(tick, { trigger: queue() }))
    await clock.advance(3 * 3_600_000)
    expect(store.executions.get('tick')).toBe(1)
  })
})

describe('local queue trigger', () => {
  it('keeps a message due for a retry across an update of the function', async () => {
    // The retry is due a second after the failure: far beyond a loaded machine's pauses, so it is still pending at the update.
    const created = Object.assign(local({ queueRetryDelayMs: 1000 }), {})
    clouds.push(created)
    let calls = 0
    const flaky = defineFunction({
      name: 'flaky',
      trigger: queue(),
      handler: () => {
        calls++
        if (calls === 1) throw new Error('first delivery fails')
        return 'ok'
      },
    })
    const fn = await created.deploy(flaky)
    await fn.send(1)
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    expect(calls).toBe(1)
    await created.deploy(withOverrides(flaky, { memoryMb: 512 }))
    await created.triggers.queues.get('flaky')?.queue.idle()
    expect(calls).toBe(2)
    expect(created.triggers.deadLetters('flaky')).toEqual([])
  })

  it("refuses to take over another function's queue, changing nothing", async () => {
    const { deploy, store } = cloud()
    await deploy(defineFunction({ name: 'first', trigger: queue({ name: 'jobs' }), handler: () => 1 }))
    const second = defineFunction({ name: 'second', trigger: queue({ name: 'jobs' }), handler: () => 2 })
    await expect(deploy(second)).rejects.toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(store.deployments.has('second')).toBe(false)
  })

  it('keeps waiting messages across an update of the function', async () => {
    const { deploy, store, triggers } = cloud()
    const fn = await deploy(slow)
    // Four deliveries run at once; the other two wait in the queue.
    for (let message = 0; message < 6; message++) await fn.send(message)
    expect(triggers.queues.get('slow')?.queue.waiting).toHaveLength(2)
    await deploy(withOverrides(slow, { memoryMb: 512 }))
    release()
    await triggers.queues.get('slow')?.queue.idle()
    expect(store.executions.get('slow')).toBe(6)
    expect(triggers.deadLetters('slow')).toEqual([])
  })
})

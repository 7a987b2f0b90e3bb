import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { defineFunction, http, queue, schedule, withOverrides } from '../../src/index.ts'
import { createManualClock } from '../../src/triggers/clock.ts'
import { local } from './index.ts'
import { KEY_HEADER } from './triggers.ts'

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
    for (const text of [
      JSON.stringify(fn),
      JSON.stringify(created.triggers),
      inspect(created.triggers, { depth: 5, showHidden: true }),
    ]) {
      expect(text).not.toMatch(/secret/i)
    }
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

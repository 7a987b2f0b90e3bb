import { describe, expect, it } from 'vitest'
import { ThrottledError } from '../errors/throttled.ts'
import { InstancePool } from './instance-pool.ts'

interface Fake {
  id: number
}

function pool(concurrency: number | undefined, maxInstances = 2) {
  let next = 0
  const destroyed: number[] = []
  const created = new InstancePool<Fake>({
    provider: 'test',
    functionName: 'fn',
    maxInstances,
    ...(concurrency === undefined ? {} : { concurrency }),
    create: async () => ({ id: ++next }),
    destroy: (instance) => {
      destroyed.push(instance.id)
    },
  })
  return { pool: created, destroyed }
}

const acquire = async (from: InstancePool<Fake>) => (await from.acquire()).id

describe('instance pool', () => {
  it('is drained once retired and its busy instances are released, not before', async () => {
    const { pool: instances, destroyed } = pool(undefined)
    const busy = await instances.acquire()
    const idle = await instances.acquire()
    instances.release(idle)
    const events: string[] = []
    const drained = instances.drained().then(() => events.push(`drained after ${destroyed.join(',')}`))
    await instances.retire()
    // The idle instance is stopped; the busy one still runs what it was given.
    expect(destroyed).toEqual([2])
    await Promise.resolve()
    expect(events).toEqual([])
    instances.release(busy)
    await drained
    expect(events).toEqual(['drained after 2,1'])
    // Asked again later, it answers at once.
    await instances.drained()
  })

  it('never hands out an idle instance that has ended: it is discarded and a fresh one started', async () => {
    const dead = new Set<number>()
    let next = 0
    const destroyed: number[] = []
    const instances = new InstancePool<Fake>({
      provider: 'test',
      functionName: 'fn',
      maxInstances: 1,
      create: async () => ({ id: ++next }),
      destroy: (instance) => {
        destroyed.push(instance.id)
      },
      alive: (instance) => !dead.has(instance.id),
    })
    const first = await instances.acquire()
    instances.release(first)
    dead.add(first.id)
    expect(await acquire(instances)).toBe(2)
    expect(destroyed).toEqual([1])
  })

  it('gives an instance one request at a time by default, reusing the most recently released', async () => {
    const { pool: instances } = pool(undefined)
    const [a, b] = await Promise.all([acquire(instances), acquire(instances)])
    expect([a, b]).toEqual([1, 2])
    await expect(acquire(instances)).rejects.toSatisfy((error) => ThrottledError.isInstance(error))
    expect(instances.size).toBe(2)
  })

  it('puts up to `concurrency` requests on one instance before starting another', async () => {
    const { pool: instances, destroyed } = pool(3, 1)
    const first = await instances.acquire()
    expect([instances.acquire(), instances.acquire()]).toEqual([first, first])
    await expect(acquire(instances)).rejects.toSatisfy((error) => ThrottledError.isInstance(error))
    instances.release(first)
    expect(instances.acquire()).toBe(first)
    // Discarding it (a timeout) stops it at once, with the requests it still runs.
    await instances.release(first, true)
    expect(destroyed).toEqual([1])
    expect(instances.size).toBe(0)
    instances.release(first)
    expect(destroyed).toEqual([1])
  })

  it('retires idle instances now and busy ones when their last request ends', async () => {
    const { pool: instances, destroyed } = pool(2, 2)
    const busy = await instances.acquire()
    expect(instances.acquire()).toBe(busy) // twice busy
    const idle = await instances.acquire() // full: a second instance
    instances.release(idle)
    await instances.retire()
    expect(destroyed).toEqual([idle.id])
    instances.release(busy)
    expect(destroyed).toEqual([idle.id])
    instances.release(busy)
    expect(destroyed).toEqual([idle.id, busy.id])
    expect(instances.size).toBe(0)
  })
})

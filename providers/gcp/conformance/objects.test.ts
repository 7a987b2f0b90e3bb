import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT, startEmulated } from '../__fixtures__/setup.ts'
import { gcpObjects } from './objects.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

// The harness retry's waits are recorded, not waited: nothing here depends on the wall clock.
const delays: number[] = []
const objects = gcpObjects(PROJECT, { sleep: async (ms) => void delays.push(ms), random: () => 0 })
const bytes = new TextEncoder().encode('{"a":1}')

describe('gcp conformance objects: the harness retry of its own Cloud Storage calls', () => {
  it('a delete whose answer was lost is done when its repeat meets 404 No such object', async () => {
    await objects.createBucket('deletes')
    await objects.put('deletes', 'in/a.json', bytes)
    env.emulator.faults.inject({ on: 'upload', kind: 'fail-after-run', match: /^DELETE \/storage\/v1\/b\/deletes\/o\// })
    await objects.delete('deletes', 'in/a.json')
    expect(env.emulator.faults.pending).toEqual([])
    expect(env.emulator.gcs.buckets.get('deletes')?.objects.has('in/a.json')).toBe(false)
  })

  it('a delete of an object that was never there fails on its first attempt', async () => {
    await objects.createBucket('never')
    await expect(objects.delete('never', 'in/none.json')).rejects.toMatchObject({ code: 404 })
  })

  it('a bucket create whose answer was lost is done when its repeat meets "you already own it"', async () => {
    delays.length = 0
    env.emulator.faults.inject({ on: 'upload', kind: 'fail-after-run', match: /^POST \/storage\/v1\/b$/ })
    await objects.createBucket('created')
    expect(env.emulator.faults.pending).toEqual([])
    expect(delays).toEqual([10])
    expect(await objects.bucketNames()).toContain('created')
  })
})

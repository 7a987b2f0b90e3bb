import { describe, expect, it } from 'vitest'
import { emulatorForFile } from '../__fixtures__/emulator.ts'
import { newBucket } from '../emulator/s3-model.ts'
import { awsObjects } from './objects.ts'

const region = 'eu-west-1'
const { emulator } = emulatorForFile({ region })
// The harness retry's waits are recorded, not waited: nothing here depends on the wall clock.
const delays: number[] = []
const objects = awsObjects(region, { sleep: async (ms) => void delays.push(ms), random: () => 0 })

describe('aws conformance objects: the harness retry of its own S3 calls', () => {
  it('a CreateBucket repeated after a dropped connection that meets BucketAlreadyOwnedByYou is done', async () => {
    // As the repeat sees it, the same as a first attempt that landed before its answer was lost.
    emulator.state.buckets.set('landed-before', newBucket('landed-before'))
    emulator.faults.inject({ on: 'CreateBucket', kind: 'reset' })
    await objects.createBucket('landed-before')
    expect(emulator.faults.pending).toEqual([])
    expect(await objects.bucketNames()).toContain('landed-before')
  })

  it("a CreateBucket repeated after a dropped connection that meets BucketAlreadyExists (another account's) fails", async () => {
    emulator.state.buckets.set('theirs', newBucket('theirs', '210987654321'))
    emulator.faults.inject({ on: 'CreateBucket', kind: 'reset' })
    await expect(objects.createBucket('theirs')).rejects.toMatchObject({ name: 'BucketAlreadyExists' })
    expect(emulator.faults.pending).toEqual([])
  })

  it('a PutObject is repeated after a dropped connection, with a backoff between the attempts', async () => {
    await objects.createBucket('puts')
    delays.length = 0
    emulator.faults.inject({ on: 'PutObject', kind: 'reset', times: 2 })
    await objects.put('puts', 'in/a.json', new TextEncoder().encode('{"a":1}'))
    expect(delays).toEqual([10, 20])
    const stored = emulator.state.buckets.get('puts')?.objects.get('in/a.json')
    expect(new TextDecoder().decode(stored?.bytes)).toBe('{"a":1}')
  })
})

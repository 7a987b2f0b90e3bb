import { ConflictError } from 'cloudfn'
import {
  claimQueues,
  ownerFromMarker,
  type QueueClaim,
  type QueueOwner,
  type QueueOwnershipIo,
  queueClaims,
  queueMarker,
  releaseQueues,
} from 'cloudfn/provider-utils'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../conformance/expect.ts'

const KEYS = { managed: 'cloudfn:managed', function: 'cloudfn:function' }

/** A cloud of queues by name, each with its marker entries, recording what the rule deletes. */
function cloudOf(queues: Record<string, Record<string, string>>): QueueOwnershipIo & { deleted: string[] } {
  const deleted: string[] = []
  return {
    deleted,
    owner: async (claim: QueueClaim): Promise<QueueOwner> => ownerFromMarker(KEYS, queues[claim.name]),
    delete: async (claim: QueueClaim) => {
      deleted.push(claim.name)
      delete queues[claim.name]
    },
  }
}

describe('queue ownership (the core rule)', () => {
  it('reads the owner from the marker, and nothing else', () => {
    expect(ownerFromMarker(KEYS, undefined)).toEqual({ kind: 'absent' })
    expect(ownerFromMarker(KEYS, {})).toEqual({ kind: 'foreign' })
    expect(ownerFromMarker(KEYS, { 'cloudfn:function': 'a' })).toEqual({ kind: 'foreign' })
    expect(ownerFromMarker(KEYS, { 'cloudfn:managed': 'yes', 'cloudfn:function': 'a' })).toEqual({ kind: 'foreign' })
    expect(ownerFromMarker(KEYS, queueMarker(KEYS, 'a'))).toEqual({ kind: 'function', functionName: 'a' })
    // Case-sensitive keys (SQS tags) unless the cloud reads them without case (Azure metadata).
    const shouted = { 'CLOUDFN:MANAGED': 'true', 'CLOUDFN:FUNCTION': 'a' }
    expect(ownerFromMarker(KEYS, shouted)).toEqual({ kind: 'foreign' })
    expect(ownerFromMarker({ ...KEYS, ignoreCase: true }, shouted)).toEqual({ kind: 'function', functionName: 'a' })
  })

  it('creates absent queues, adopts its own and refuses a foreign main or dead-letter queue, naming it and the way out', async () => {
    const cloud = cloudOf({ jobs: queueMarker(KEYS, 'worker'), theirs: {}, 'theirs-dead-letter': {} })
    const decisions = await claimQueues(
      cloud,
      queueClaims({ queue: 'jobs', deadLetter: 'jobs-dl' }, 'SQS queue'),
      'worker',
      'aws',
    )
    expect([...decisions].map(([claim, decision]) => [claim.name, decision])).toEqual([
      ['jobs', 'adopt'],
      ['jobs-dl', 'create'],
    ])

    const foreign = await caughtError(
      claimQueues(cloud, queueClaims({ queue: 'theirs', deadLetter: 'x' }, 'SQS queue'), 'worker', 'aws'),
    )
    expect(ConflictError.isInstance(foreign)).toBe(true)
    expect([foreign.code, foreign.isRetryable, foreign.provider]).toEqual(['Conflict', false, 'aws'])
    expect(foreign.message).toMatch(
      /^SQS queue 'theirs' exists but was not created by cloudfn.*give 'worker' another queue \(queue\(\{ name \}\)\)/,
    )

    const deadLetter = await caughtError(
      claimQueues(cloud, queueClaims({ queue: 'fresh', deadLetter: 'theirs-dead-letter' }, 'SQS queue'), 'worker', 'aws'),
    )
    expect(deadLetter.message).toMatch(
      /^SQS queue 'theirs-dead-letter' \(the dead-letter queue of 'worker'\) exists but was not created by cloudfn/,
    )
    expect(cloud.deleted).toEqual([])
  })

  it("refuses another function's queue, naming its owner", async () => {
    const cloud = cloudOf({ jobs: queueMarker(KEYS, 'owner-a') })
    const error = await caughtError(
      claimQueues(cloud, queueClaims({ queue: 'jobs', deadLetter: 'jobs-dl' }, 'Pub/Sub topic'), 'owner-b', 'gcp'),
    )
    expect(error.message).toBe(
      "Pub/Sub topic 'jobs' belongs to function 'owner-a'; give 'owner-b' another queue (queue({ name })) or remove 'owner-a' first",
    )
  })

  it("removal deletes only the function's own queues: never a foreign one, another function's, or one it keeps", async () => {
    const cloud = cloudOf({
      mine: queueMarker(KEYS, 'worker'),
      'mine-dl': {},
      kept: queueMarker(KEYS, 'worker'),
      other: queueMarker(KEYS, 'someone'),
    })
    const claims = [
      ...queueClaims({ queue: 'mine', deadLetter: 'mine-dl' }, 'SQS queue'),
      ...queueClaims({ queue: 'other', deadLetter: 'kept' }, 'SQS queue'),
      ...queueClaims({ queue: 'gone', deadLetter: 'mine' }, 'SQS queue'),
    ]
    expect(await releaseQueues(cloud, claims, 'worker', new Set(['kept']))).toEqual(['mine'])
    expect(cloud.deleted).toEqual(['mine'])
  })
})

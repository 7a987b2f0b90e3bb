import { describe, expect, it } from 'vitest'
import { collect, type GcCandidate, KEPT } from '../src/gc.ts'

describe('collect', () => {
  it('reports kept a candidate whose remove() left it (KEPT), removed one whose remove() resolved anything else; a dry run calls none', async () => {
    const calls: string[] = []
    const candidate = (resource: string, outcome: unknown, unused = true): GcCandidate => ({
      resource,
      changedAt: undefined,
      unused,
      remove: async () => {
        calls.push(resource)
        return outcome
      },
    })
    const candidates = [
      candidate('function:a', undefined),
      candidate('bucket:b', KEPT),
      // Other providers' removes resolve the cloud's answer (or false from an unrelated API): removed all the same.
      candidate('queue:c', false),
      candidate('role:d', undefined, false),
    ]
    expect(await collect(candidates, { olderThanMs: 0, dryRun: true })).toEqual({
      removed: ['function:a', 'bucket:b', 'queue:c'],
      kept: ['role:d'],
    })
    expect(calls).toEqual([])
    expect(await collect(candidates, { olderThanMs: 0, dryRun: false })).toEqual({
      removed: ['function:a', 'queue:c'],
      kept: ['bucket:b', 'role:d'],
    })
    expect(calls).toEqual(['function:a', 'bucket:b', 'queue:c'])
  })
})

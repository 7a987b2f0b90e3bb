import { afterEach, describe, expect, it } from 'vitest'
import { restart } from './arm-sites.ts'
import type { SiteState } from './state.ts'

describe('restart', () => {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  afterEach(() => {
    process.off('unhandledRejection', record)
  })

  it('leaves no unhandled rejection behind when the runtime it replaces had failed to start', async () => {
    process.on('unhandledRejection', record)
    const failed = Promise.reject(new Error('the host did not start'))
    // The request that started it met (and handled) the failure.
    failed.catch(() => undefined)
    const site = { runtime: failed } as unknown as SiteState
    restart(site)
    expect(site.runtime).toBeUndefined()
    // Node reports unhandled rejections after the microtasks of a macrotask turn.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).toEqual([])
  })
})

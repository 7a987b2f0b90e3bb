import { describe, expect, it } from 'vitest'
import { type Fault, FaultQueue } from './faults.ts'

type On = 'api' | 'invoke'
const queue = () =>
  new FaultQueue<On, Fault<On>>({
    invoke: 'invoke',
    survivable: (on): Record<string, Fault<On>> =>
      on === 'api' ? { throttle: { kind: 'throttle', retryAfterSec: 0 }, slow: { kind: 'slow', ms: 1 } } : {},
  })
const request = (on: On, line = 'GET /x', functionName?: string) => ({ on, line, functionName })

describe('emulator kit: FaultQueue', () => {
  it('gives each fault to the requests it matches, in order, `times` times', () => {
    const faults = queue()
    faults.inject({ on: 'api', kind: 'server-error', status: 503, match: /^PUT /, times: 2 })
    faults.inject({ kind: 'reset' })
    expect(faults.take(request('api', 'PUT /a'))).toMatchObject({ kind: 'server-error', status: 503 })
    expect(faults.pending).toEqual([expect.objectContaining({ kind: 'server-error', times: 1 }), { kind: 'reset', times: 1 }])
    // A GET does not match the PUT fault: the next one (any target) hits it.
    expect(faults.take(request('invoke', 'GET /b'))).toEqual({ kind: 'reset' })
    expect(faults.take(request('api', 'PUT /c'))).toMatchObject({ kind: 'server-error' })
    expect(faults.take(request('api', 'PUT /d'))).toBeUndefined()
    expect(faults.pending).toEqual([])
  })

  it('aims invoke faults at one function on the emulator invoke target', () => {
    const faults = queue()
    faults.injectInvoke('a', { kind: 'throttle' })
    expect(faults.take(request('invoke', 'POST /', 'b'))).toBeUndefined()
    expect(faults.take(request('api', 'POST /', 'a'))).toBeUndefined()
    expect(faults.take(request('invoke', 'POST /', 'a'))).toEqual({ kind: 'throttle', on: 'invoke', functionName: 'a' })
  })

  it('draws random faults from the survivable table, counting those that answered instead of the emulator', () => {
    const faults = queue()
    const picks = ['throttle', 'slow', undefined]
    const offered: string[][] = []
    faults.injectRandomly(<K extends string>(kinds: readonly K[]) => {
      offered.push([...kinds])
      return picks.shift() as K | undefined
    })
    expect(faults.take(request('api'))).toEqual({ kind: 'throttle', retryAfterSec: 0 })
    expect(faults.take(request('api'))).toEqual({ kind: 'slow', ms: 1 })
    expect(faults.take(request('api'))).toBeUndefined()
    expect(offered).toEqual([
      ['throttle', 'slow'],
      ['throttle', 'slow'],
      ['throttle', 'slow'],
    ])
    // A slow answer is still the emulator's: only the throttle counts.
    expect(faults.answeredByRandomFault).toBe(1)
    faults.clear()
    expect(faults.take(request('api'))).toBeUndefined()
  })

  it('refuses a times that is not a positive integer', () => {
    expect(() => queue().inject({ kind: 'reset', times: 0 })).toThrow(/positive integer/)
  })
})

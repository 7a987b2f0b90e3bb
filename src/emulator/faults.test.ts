import { describe, expect, it } from 'vitest'
import { answerFault, type Fault, FaultQueue } from './faults.ts'

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

describe('emulator kit: answerFault', () => {
  const answer = async (fault: Fault) => {
    let handled = 0
    const response = await answerFault(
      fault,
      async () => {
        handled++
        return new Response('handled')
      },
      (rendered) => new Response(`cloud ${rendered.kind}`, { status: rendered.kind === 'throttle' ? 429 : 500 }),
    )
    return { handled, type: response.type, status: response.status, text: response.type === 'error' ? '' : await response.text() }
  }

  it('answers the common kinds alike and leaves throttles and server errors to the cloud', async () => {
    expect(await answer({ kind: 'reset' })).toEqual({ handled: 0, type: 'error', status: 0, text: '' })
    expect(await answer({ kind: 'slow', ms: 1 })).toMatchObject({ handled: 1, status: 200, text: 'handled' })
    expect(await answer({ kind: 'fail-after-run' })).toEqual({ handled: 1, type: 'error', status: 0, text: '' })
    expect(await answer({ kind: 'fail-after-run', status: 502 })).toMatchObject({ handled: 1, status: 502 })
    expect(await answer({ kind: 'throttle' })).toMatchObject({ handled: 0, status: 429, text: 'cloud throttle' })
    expect(await answer({ kind: 'server-error', status: 503 })).toMatchObject({
      handled: 0,
      status: 500,
      text: 'cloud server-error',
    })
  })
})

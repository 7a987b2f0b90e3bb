import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Deadlines } from './deadlines.ts'

describe('Deadlines (one timer for all executions of a runner)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('times out exactly the executions still running at their own deadline, once each', () => {
    const deadlines = new Deadlines(1000, Date.now)
    const fired: string[] = []
    const doneA = deadlines.watch(() => fired.push('a'))
    vi.advanceTimersByTime(400)
    deadlines.watch(() => fired.push('b'))
    const doneC = deadlines.watch(() => fired.push('c'))
    doneA()
    vi.advanceTimersByTime(599)
    expect(fired).toEqual([])
    doneC()
    vi.advanceTimersByTime(1)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(400)
    expect(fired).toEqual(['b'])
    vi.advanceTimersByTime(10_000)
    expect(fired).toEqual(['b'])
    doneA()
    doneC()
    expect(fired).toEqual(['b'])
  })

  it('keeps the queue bounded behind one execution that runs until its timeout', () => {
    const deadlines = new Deadlines(60_000, Date.now)
    const fired: string[] = []
    deadlines.watch(() => fired.push('hanging'))
    for (let call = 0; call < 10_000; call++) deadlines.watch(() => fired.push(`call ${call}`))()
    expect(deadlines.held).toBeLessThanOrEqual(130)
    const late = deadlines.watch(() => fired.push('late'))
    vi.advanceTimersByTime(60_000)
    expect(fired).toEqual(['hanging', 'late'])
    late()
  })

  it('reuses its idle timer without firing early for a later execution', () => {
    const deadlines = new Deadlines(1000, Date.now)
    const fired: number[] = []
    // Many short sequential executions leave one idle timer behind, armed at the first one's deadline.
    for (let i = 0; i < 1000; i++) deadlines.watch(() => fired.push(i))()
    vi.advanceTimersByTime(700)
    deadlines.watch(() => fired.push(-1))
    vi.advanceTimersByTime(999)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual([-1])
  })

  it('holds the event loop open only while an execution is watched', () => {
    const deadlines = new Deadlines(1000, Date.now)
    const done = deadlines.watch(() => {})
    expect(vi.getTimerCount()).toBe(1)
    done()
    // The idle timer fires once, finds nothing to do and is gone.
    vi.advanceTimersByTime(1000)
    expect(vi.getTimerCount()).toBe(0)
  })
})

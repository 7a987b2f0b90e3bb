import { describe, expect, it, vi } from 'vitest'
import { formatLogLine, isPlatformLine, parseLogLine } from './log-format.ts'
import { createEntry } from './shim.ts'

describe('aws shim', () => {
  it("adapts Lambda's (event, context) to the envelope, with cold start, request id and deadline", async () => {
    const seen: unknown[] = []
    const handler = createEntry({
      name: 'probe',
      handler: ((input: unknown, ctx: { executionId: string; coldStart: boolean; remainingMs(): number }) => {
        seen.push({ input, id: ctx.executionId, cold: ctx.coldStart, remaining: ctx.remainingMs() })
        return { got: input }
      }) as never,
    })
    const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 5000 })
    // The clock stands still during the cold call: the deadline the handler sees is exactly Lambda's, however
    // long a loaded machine takes between the shim reading the time left and the handler asking for it.
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1))
    const first = (await handler({ a: 1 }, context('r-1')).finally(() => now.mockRestore())) as {
      ok: boolean
      value: unknown
      meta: Record<string, unknown>
    }
    const second = (await handler(null, context('r-2'))) as { meta: Record<string, unknown> }
    expect(first).toMatchObject({ ok: true, value: { got: { a: 1 } }, meta: { coldStart: true, executionId: 'r-1' } })
    expect(second.meta).toMatchObject({ coldStart: false, executionId: 'r-2' })
    expect(seen[0]).toMatchObject({ input: { a: 1 }, id: 'r-1', cold: true })
    expect((seen[0] as { remaining: number }).remaining).toBe(5000)
  })

  it('writes console output as one stdout line per call, in the format logs() parses', async () => {
    const writes: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk))
      return true
    })
    try {
      const handler = createEntry({
        name: 'talker',
        handler: (() => {
          console.warn('two\nlines')
          return 1
        }) as never,
      })
      await handler({}, { awsRequestId: 'req-9', getRemainingTimeInMillis: () => 1000 })
    } finally {
      spy.mockRestore()
    }
    expect(writes).toHaveLength(1)
    expect(writes[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\treq-9\tWARN\ttwo\rlines\n$/)
    expect(parseLogLine(writes[0] as string)).toMatchObject({ executionId: 'req-9', level: 'warn', message: 'two\nlines' })
  })

  it('parses its own lines and leaves platform lines out', () => {
    const line = formatLogLine('2026-01-01T00:00:00.000Z', 'id', 'log', 'hello\tworld')
    expect(parseLogLine(line)).toEqual({
      timestamp: '2026-01-01T00:00:00.000Z',
      executionId: 'id',
      level: 'log',
      message: 'hello\tworld',
    })
    expect(parseLogLine('START RequestId: id Version: $LATEST')).toBeUndefined()
    expect(isPlatformLine('REPORT RequestId: id\tDuration: 1 ms')).toBe(true)
    expect(isPlatformLine('2026-01-01T00:00:00.000Z\tid\tINFO\tx')).toBe(false)
  })
})

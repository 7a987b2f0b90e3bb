import { defineFunction } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { local } from './index.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('local execution ids', () => {
  it('are UUID-shaped, as Lambda request ids, and never repeat', async () => {
    const fn = await local({ isolation: 'inline' }).deploy(
      defineFunction({ name: 'ids', handler: (_: null, ctx) => ctx.executionId }),
    )
    const seen = await Promise.all(Array.from({ length: 50 }, () => fn.invokeDetailed(null)))
    const ids = seen.map((result) => result.value)
    expect(ids.every((id) => UUID.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(50)
    expect(seen.map((result) => result.meta.executionId)).toEqual(ids)
    await fn.remove()
  })
})

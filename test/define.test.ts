import { defineFunction, isFunctionDefinition, withOverrides } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { add } from './fixtures/definitions.ts'
import { invalidField } from './fixtures/invalid-field.ts'

describe('defineFunction', () => {
  it('records the module that called it, so deploy can bundle that module', () => {
    expect(add.entry).toMatch(/test\/fixtures\/definitions\.ts$/)
    const here = defineFunction({ name: 'here', handler: () => 1 })
    expect(here.entry).toMatch(/test\/define\.test\.ts$/)
  })

  it('lets entry and exportName override the recorded module', () => {
    const def = defineFunction({ name: 'x', handler: () => 1, entry: '/somewhere/else.ts', exportName: 'x' })
    expect(def).toMatchObject({ entry: '/somewhere/else.ts', exportName: 'x' })
  })

  it('fills portable defaults and freezes the result', () => {
    expect(add).toMatchObject({ memoryMb: 256, timeoutSec: 60, env: {}, providerOptions: {} })
    expect(Object.isFrozen(add)).toBe(true)
    expect(isFunctionDefinition(add)).toBe(true)
    expect(isFunctionDefinition({ name: 'add', handler: () => 1 })).toBe(false)
  })

  it.each([
    [{ name: 'UPPER' }, 'name'],
    [{ name: 'a'.repeat(41) }, 'name'],
    [{ name: 'ends-' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ memoryMb: 127 }, 'memoryMb'],
    [{ memoryMb: 10241 }, 'memoryMb'],
    [{ timeoutSec: 1.5 }, 'timeoutSec'],
    [{ env: { PATH: '/bin' } }, 'env.PATH'],
    [{ env: { FUNCTIONS_WORKER_RUNTIME: 'node' } }, 'env.FUNCTIONS_WORKER_RUNTIME'],
    [{ env: { OK: 1 } }, 'env.OK'],
    [{ env: { BIG: 'x'.repeat(5000) } }, 'env'],
    [{ env: 'A=1' }, 'env'],
    [{ providerOptions: { aws: 'x' } }, 'providerOptions.aws'],
    [{ timeout: 10 }, 'timeout'],
  ])('rejects %o naming %s', (overrides, field) => {
    expect(invalidField(() => defineFunction({ name: 'ok', handler: () => 1, ...overrides } as never))).toBe(field)
  })

  it('withOverrides keeps the handler and entry, and validates the new settings', () => {
    const bigger = withOverrides(add, { name: 'add-big', memoryMb: 1024 })
    expect(bigger).toMatchObject({ name: 'add-big', memoryMb: 1024, entry: add.entry })
    expect(bigger.handler).toBe(add.handler)
    expect(invalidField(() => withOverrides(add, { memoryMb: 1 }))).toBe('memoryMb')
    expect(invalidField(() => withOverrides(add, { handler: () => 2 } as never))).toBe('overrides.handler')
  })
})

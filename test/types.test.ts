// Type tests: `npm run typecheck` (part of `npm run lint`) checks every
// expectTypeOf and every @ts-expect-error below; at run time they are no-ops.
import {
  createCloud,
  defineFunction,
  type FunctionHandle,
  type HttpFunctionHandle,
  http,
  type InvocableFunctionHandle,
  type Jsonify,
  type QueueFunctionHandle,
  queue,
  schedule,
  withOverrides,
} from 'cloudfn'
import { createMockProvider } from 'cloudfn/testing'
import { describe, expect, expectTypeOf, it } from 'vitest'

const plain = defineFunction({
  name: 'plain',
  handler: async (input: { n: number }) => ({ doubled: input.n * 2, at: new Date() }),
})
const web = defineFunction({ name: 'web', trigger: http(), handler: async (request) => new Response(request.url) })
const worker = defineFunction({
  name: 'worker',
  trigger: queue({ name: 'jobs' }),
  handler: async (message: { id: string }) => message.id,
})
const ticker = defineFunction({ name: 'ticker', trigger: schedule('rate(5 minutes)'), handler: async () => 'tick' })

describe('handles are typed by their trigger', () => {
  const cloud = createCloud(createMockProvider())

  it('a function without a trigger: invoke and map, no fetch or send', async () => {
    const fn = await cloud.deploy(plain)
    expectTypeOf(fn).toEqualTypeOf<InvocableFunctionHandle<{ n: number }, { doubled: number; at: Date }>>()
    expectTypeOf(fn.invoke).parameter(0).toEqualTypeOf<{ n: number }>()
    // Dates arrive as strings after the JSON round trip.
    expectTypeOf(fn.invoke).returns.resolves.toEqualTypeOf<{ doubled: number; at: string }>()
    // @ts-expect-error no HTTP trigger, so no fetch()
    expect(fn.fetch).toBeTypeOf('function')
    // @ts-expect-error no queue trigger, so no send()
    expect(fn.send).toBeTypeOf('function')
    expect(await fn.invoke({ n: 2 })).toEqual({ n: 2 })
  })

  it('an HTTP function: url and fetch, no invoke', async () => {
    const fn = await cloud.deploy(web)
    expectTypeOf(fn).toEqualTypeOf<HttpFunctionHandle>()
    expectTypeOf(fn.url).toEqualTypeOf<string>()
    expectTypeOf(fn.fetch).returns.resolves.toEqualTypeOf<Response>()
    // @ts-expect-error an HTTP function is called through its URL
    expect(fn.invoke).toBeTypeOf('function')
    // @ts-expect-error nor mapped
    expect(fn.map).toBeTypeOf('function')
  })

  it('a queue function: send and invoke, no fetch', async () => {
    const fn = await cloud.deploy(worker)
    expectTypeOf(fn).toEqualTypeOf<QueueFunctionHandle<{ id: string }, string>>()
    expectTypeOf(fn.send).parameter(0).toEqualTypeOf<{ id: string }>()
    // @ts-expect-error no HTTP trigger
    expect(fn.fetch).toBeTypeOf('function')
  })

  it('a scheduled function: invoke, no send', async () => {
    const fn = await cloud.deploy(ticker)
    expectTypeOf(fn.invoke).returns.resolves.toEqualTypeOf<string>()
    // @ts-expect-error no queue trigger
    expect(fn.send).toBeTypeOf('function')
  })

  it('get() with the definition is typed the same; by name it has every method', async () => {
    await cloud.deploy(worker)
    expectTypeOf(await cloud.get(worker)).toEqualTypeOf<QueueFunctionHandle<{ id: string }, string>>()
    expectTypeOf(await cloud.get('worker')).toEqualTypeOf<FunctionHandle>()
  })

  it('withOverrides keeps the trigger type, or takes the new one', () => {
    expectTypeOf(withOverrides(worker, { name: 'worker-2' }).trigger).toEqualTypeOf(worker.trigger)
    expectTypeOf(withOverrides(ticker, { trigger: queue({ name: 'other' }) }).trigger).toEqualTypeOf(worker.trigger)
  })
})

describe('code written before typed handles', () => {
  it('still compiles: explicit <I, O> type arguments, and get() with a name or a definition', async () => {
    const cloud = createCloud(createMockProvider())
    const explicit = defineFunction<{ id: string }, string>({
      name: 'explicit',
      trigger: queue({ name: 'explicit-jobs' }),
      handler: async (message) => message.id,
    })
    const handle = await cloud.deploy<{ id: string }, string>(explicit)
    expectTypeOf(handle).toEqualTypeOf<FunctionHandle<{ id: string }, string>>()
    const target: string | typeof explicit = 'explicit'
    expectTypeOf(await cloud.get<{ id: string }, string>(target)).toEqualTypeOf<FunctionHandle<{ id: string }, string>>()
  })
})

describe('Jsonify', () => {
  it('makes what JSON cannot carry unusable instead of a look-alike object', () => {
    expectTypeOf<Jsonify<Map<string, number>>>().toBeNever()
    expectTypeOf<Jsonify<Set<string>>>().toBeNever()
    expectTypeOf<Jsonify<bigint>>().toBeNever()
    expectTypeOf<Jsonify<{ a: Date; b: undefined; c: () => void; d: number[] }>>().toEqualTypeOf<{ a: string; d: number[] }>()
    expectTypeOf<Jsonify<Array<() => void>>>().toEqualTypeOf<null[]>()
  })
})

import { describe, expect, it } from 'vitest'
import { createCloud, defineFunction, http, queue } from '../src/index.ts'
import { createMockProvider } from '../src/testing/index.ts'

describe('the mock provider with triggers', () => {
  it('gives HTTP functions a url and answers fetch() without a backend', async () => {
    const provider = createMockProvider()
    const fn = await createCloud(provider).deploy(
      defineFunction({ name: 'web', trigger: http({ auth: 'key' }), handler: () => new Response('never called') }),
    )
    expect(fn.url).toBe('https://web.mock.invalid/')
    expect(await (await fn.fetch('/a?b=1', { method: 'POST' })).json()).toEqual({
      method: 'POST',
      url: 'https://web.mock.invalid/a?b=1',
    })
    expect(provider.calls.map(([method]) => method)).toEqual(['doDeploy', 'doFetch'])
  })

  it('records sent messages with their queue', async () => {
    const provider = createMockProvider()
    const fn = await createCloud(provider).deploy(
      defineFunction({ name: 'jobs', trigger: queue({ name: 'work' }), handler: (message: { n: number }) => message.n }),
    )
    expect(await fn.send({ n: 1 })).toEqual({ messageId: 'mock-message-1' })
    expect(provider.sent).toEqual([{ name: 'jobs', queue: 'work', message: '{"n":1}' }])
    await expect(fn.send({ n: 'x'.repeat(600) } as never)).rejects.toMatchObject({ code: 'PayloadTooLarge' })
  })
})

import { expect, test } from 'vitest'
import { honourSignal } from '../src/cancellation.ts'
import { CancelledError } from '../src/errors/cancelled.ts'
import { ProviderError } from '../src/errors/provider-error.ts'
import { createMockProvider } from '../src/testing/mock-provider.ts'

test('a do* call whose signal aborts while it runs rejects at once with CancelledError, not the SDK error that follows', async () => {
  let sdkAbort: ((error: unknown) => void) | undefined
  const inner = createMockProvider()
  // An SDK call that never answers, and maps its own abort to a provider failure later (as the AWS SDK's did).
  inner.doGet = () =>
    new Promise((_, reject) => {
      sdkAbort = reject
    })
  const provider = honourSignal(inner)
  const controller = new AbortController()
  const pending = provider.doGet('slow', { signal: controller.signal })
  controller.abort(new Error('user gave up'))
  sdkAbort?.(new ProviderError({ provider: 'mock', message: 'Request aborted' }))
  const error = await pending.catch((reason: unknown) => reason)
  expect(CancelledError.isInstance(error)).toBe(true)
})

test('without a signal the method runs as it is, with the provider as this', async () => {
  const provider = honourSignal(createMockProvider())
  expect(await provider.doList({})).toEqual([])
  expect(provider.name).toBe('mock')
})

test('a method replaced after wrapping (a spy) is the one called', async () => {
  const provider = honourSignal(createMockProvider())
  expect(await provider.doList({})).toEqual([])
  provider.doList = async () => [{ name: 'replaced' } as never]
  expect(await provider.doList({})).toEqual([{ name: 'replaced' }])
})

test('an already-aborted signal makes a do* call return a rejected promise, not throw', async () => {
  const provider = honourSignal(createMockProvider())
  const controller = new AbortController()
  controller.abort()
  let thrown = false
  let pending: Promise<unknown> | undefined
  try {
    pending = provider.doList({ signal: controller.signal })
  } catch {
    thrown = true
  }
  expect(thrown).toBe(false)
  expect(CancelledError.isInstance(await pending?.catch((reason: unknown) => reason))).toBe(true)
})

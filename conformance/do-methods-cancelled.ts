import assert from 'node:assert/strict'
import { defineFunction } from '../src/define.ts'
import type { Emulator } from '../src/emulator/emulator.ts'
import { CancelledError } from '../src/errors/cancelled.ts'
import type { CallOptions, PlanRequest, ProviderV1 } from '../src/provider.ts'

/** A plan request for a function with no code: nothing may be read to plan it once the signal has aborted. */
function planRequest(name: string): PlanRequest {
  const definition = defineFunction({ name, handler: () => null }) as unknown as PlanRequest['definition']
  return {
    name,
    memoryMb: 256,
    timeoutSec: 60,
    env: {},
    providerOptions: {},
    configHash: '0'.repeat(64),
    scale: { maxInstances: undefined, minInstances: undefined },
    trigger: undefined,
    definition,
  }
}

/**
 * Calls every `do*` method of `provider` with an already-aborted signal and
 * asserts each rejects with `CancelledError` and sends no request (issue
 * #17). The public API checks the signal before calling a provider, so this
 * drives the provider directly: it is the provider's own promise, for the
 * calls whose signal aborts while they run. `name` need not exist: nothing
 * may be sent to find out.
 */
export async function assertDoMethodsCancelled(
  provider: ProviderV1,
  requestCount: () => number | Promise<number>,
  name = 'cancelled-fn',
): Promise<void> {
  const options = (): CallOptions => ({ signal: AbortSignal.abort(new Error('aborted by the test')) })
  const calls: Array<[string, (() => Promise<unknown> | undefined) | undefined]> = [
    ['doGet', () => provider.doGet(name, options())],
    ['doList', () => provider.doList(options())],
    ['doRemove', () => provider.doRemove(name, options())],
    ['doInvoke', () => provider.doInvoke({ name, payload: '{}' }, options())],
    ['doInvokeAsync', provider.doInvokeAsync && (() => provider.doInvokeAsync?.({ name, payload: '{}' }, options()))],
    ['doLogs', provider.doLogs && (() => provider.doLogs?.({ name }, options()))],
    ['doSend', provider.doSend && (() => provider.doSend?.({ name, queue: `${name}-queue`, message: '{}' }, options()))],
    ['doGc', provider.doGc && (() => provider.doGc?.({ olderThanMs: 0, dryRun: false }, options()))],
    ['doPlan', provider.doPlan && (() => provider.doPlan?.(planRequest(name), options()))],
  ]
  for (const [method, call] of calls) {
    if (!call) continue
    const before = await requestCount()
    const error = await Promise.resolve()
      .then(call)
      .then(
        (value) => assert.fail(`${method} resolved with ${JSON.stringify(value)?.slice(0, 200)} although its signal had aborted`),
        (reason: unknown) => reason,
      )
    assert.ok(CancelledError.isInstance(error), `${method} rejected with ${String(error)} instead of CancelledError`)
    assert.equal(await requestCount(), before, `${method} sent a request after its signal had aborted`)
  }
}

/**
 * `assertDoMethodsCancelled` for a cloud provider against its emulator: the
 * provider `create` makes from the emulator's `connect(overrides)`, requests
 * counted by the emulator's state. Starts and closes the emulator.
 */
export async function assertEmulatedDoMethodsCancelled<S>(
  emulator: Emulator<S>,
  create: (settings: S) => ProviderV1,
  overrides?: Partial<S>,
): Promise<void> {
  emulator.listen()
  try {
    await assertDoMethodsCancelled(create(emulator.connect(overrides)), () => emulator.state.requestCount)
  } finally {
    await emulator.close()
  }
}

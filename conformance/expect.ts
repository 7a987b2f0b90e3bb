import assert from 'node:assert/strict'
import { CloudfnError } from '../src/errors/cloudfn-error.ts'

/** Awaits `promise`, asserts it rejects with a cloudfn error of `code`, and returns that error. */
export async function rejectsWith<E extends CloudfnError = CloudfnError>(promise: Promise<unknown>, code: string): Promise<E> {
  let outcome: { value: unknown } | { error: unknown }
  try {
    outcome = { value: await promise }
  } catch (error) {
    outcome = { error }
  }
  if ('value' in outcome)
    assert.fail(`expected a ${code} error, but it resolved with ${JSON.stringify(outcome.value)?.slice(0, 200)}`)
  const { error } = outcome
  assert.ok(CloudfnError.isInstance(error), `expected a cloudfn ${code} error, got ${String(error)}`)
  assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`)
  return error as E
}

/** Asserts that `action` throws a cloudfn error of `code` synchronously or asynchronously, and that no request reached the backend. */
export async function rejectedBeforeSending(
  probe: { requestCount(): Promise<number> },
  action: () => Promise<unknown>,
  code: string,
): Promise<CloudfnError> {
  const before = await probe.requestCount()
  const error = await rejectsWith(Promise.resolve().then(action), code)
  assert.equal(await probe.requestCount(), before, 'a request reached the backend although the input was invalid')
  return error
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Asserts the backend ran `name` exactly `expected` times, where the probe can count. */
export async function assertExecutions(
  probe: { executions(name: string): Promise<number | undefined> },
  name: string,
  expected: number,
): Promise<void> {
  const ran = await probe.executions(name)
  if (ran !== undefined) assert.equal(ran, expected, `the backend ran ${name} ${ran} times, expected ${expected}`)
}

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

/**
 * Thrown by a scenario that cannot make one of its checks on this target
 * (e.g. the probe cannot count executions): the scenario is reported as
 * skipped with the reason, never as passed.
 */
export class ScenarioSkipped extends Error {
  override name = 'ScenarioSkipped'
}

/** The number of executions of `name`, or a skip where the probe cannot count them. */
export async function countedExecutions(
  probe: { executions(name: string): Promise<number | undefined> },
  name: string,
): Promise<number> {
  const ran = await probe.executions(name)
  if (ran === undefined)
    throw new ScenarioSkipped('this target cannot count executions, so whether each ran exactly once was not checked')
  return ran
}

/** Asserts the backend ran `name` exactly `expected` times. */
export async function assertExecutions(
  probe: { executions(name: string): Promise<number | undefined> },
  name: string,
  expected: number,
): Promise<void> {
  const ran = await countedExecutions(probe, name)
  assert.equal(ran, expected, `the backend ran ${name} ${ran} times, expected ${expected}`)
}

/** The cloudfn error `promise` rejects with; fails when it resolves or rejects with anything else. */
export async function caughtError(promise: Promise<unknown>): Promise<CloudfnError> {
  const error = await promise.then(
    (value) => assert.fail(`expected a cloudfn error, but it resolved with ${JSON.stringify(value)?.slice(0, 200)}`),
    (thrown: unknown) => thrown,
  )
  assert.ok(CloudfnError.isInstance(error), `expected a cloudfn error, got ${String(error)}`)
  return error
}

import assert from 'node:assert/strict'
import type { FunctionError } from '../../src/errors/function-error.ts'
import type { ProviderError } from '../../src/errors/provider-error.ts'
import { assertExecutions, rejectsWith, ScenarioSkipped } from '../expect.ts'
import { type CrashKind, crash } from '../fixtures/functions.ts'
import type { PlatformFault, Scenario, ScenarioContext } from '../scenario.ts'

/**
 * One failure, one error code, on every backend (README "Errors", the table
 * of failure kinds). The user's code failing in any way is `FunctionError`,
 * never retried and never `isRetryable`; the platform failing while the
 * function did not is `ProviderError`.
 */

/**
 * A handler that crashes its process would end the caller's own process where
 * handlers run inline: the local fake's inline isolation, the one local mode
 * that cannot stop a function (`timeoutKills` is false there, true in workers).
 * Every other backend runs handlers in processes of their own.
 */
function skipWhereCrashesEndTheCaller({ handlersInProcess }: ScenarioContext): void {
  if (handlersInProcess) throw new ScenarioSkipped('handlers run inline, in the caller’s process, which a crash would end')
}

/** Deploys `crash`, invokes it to fail as `kind`, and checks the error, that it ran once, and that it answers after. */
async function userFailure(
  { cloud, probe, name }: ScenarioContext,
  kind: Exclude<CrashKind, 'ok' | 'slow-ok'>,
  check?: (error: FunctionError) => void,
): Promise<void> {
  const fnName = name(`crash-${kind}`)
  const fn = await cloud.deploy(crash, { name: fnName })
  const error = await rejectsWith<FunctionError>(fn.invoke({ kind }), 'FunctionError')
  assert.equal(error.isRetryable, false, 'a failure of the function is not retryable')
  assert.equal(error.provider, cloud.provider)
  check?.(error)
  // The failed execution is not repeated behind the caller's back...
  await assertExecutions(probe, fnName, 1)
  // ...and the function still serves, even a call of some length made at once, while a crashed process may still
  // be ending (a platform may ask the caller to retry it on the next instance: that retry is the platform's).
  assert.equal(await fn.invoke({ kind: 'slow-ok' }), 'ok')
  await fn.remove()
}

/** Deploys `crash`, makes the platform fail its next invoke, and checks the error and that the function did not run. */
async function platformFailure({ cloud, probe, name, faults }: ScenarioContext, fault: PlatformFault): Promise<ProviderError> {
  if (!faults) throw new ScenarioSkipped('this target cannot make its platform fail (no fault injection)')
  const fnName = name(`platform-${fault.kind === 'reset' ? 'reset' : fault.status}`)
  const fn = await cloud.deploy(crash, { name: fnName })
  faults.next(fnName, fault)
  const error = await rejectsWith<ProviderError>(fn.invoke({ kind: 'ok' }), 'ProviderError')
  assert.equal(error.provider, cloud.provider)
  // Transient, so retryable; but nothing shows the function did not start, so the client does not repeat
  // the invoke (it could run it twice): that takes `notExecuted`.
  assert.equal(error.isRetryable, true)
  assert.equal(error.notExecuted, false)
  assert.equal(await fn.invoke({ kind: 'ok' }), 'ok')
  await assertExecutions(probe, fnName, 1)
  await fn.remove()
  return error
}

/** The check that the function failed with the fixture's own `CrashFailure`, its message `message`. */
const isCrashFailure = (message: string) => (error: FunctionError) => {
  assert.equal(error.remoteName, 'CrashFailure')
  assert.equal(error.remoteMessage, message)
}

export const failureKinds: Scenario[] = [
  {
    id: 'failure-throw',
    title: 'a handler that throws synchronously: FunctionError with its error',
    run: (context) => userFailure(context, 'throw', isCrashFailure('thrown synchronously')),
  },
  {
    id: 'failure-reject',
    title: 'a handler that rejects asynchronously: FunctionError with its error',
    run: (context) => userFailure(context, 'reject', isCrashFailure('rejected asynchronously')),
  },
  {
    id: 'failure-uncaught',
    title: 'an uncaught exception in a timer during the handler: FunctionError',
    run: (context) => {
      skipWhereCrashesEndTheCaller(context)
      return userFailure(context, 'uncaught')
    },
  },
  {
    id: 'failure-exit',
    title: 'process.exit(1) inside the handler: FunctionError',
    run: (context) => {
      skipWhereCrashesEndTheCaller(context)
      return userFailure(context, 'exit')
    },
  },
  {
    id: 'failure-platform-5xx',
    title: 'the platform answers 500 or 503 without running the function: ProviderError with the status',
    async run(context) {
      for (const status of [500, 503]) {
        const error = await platformFailure(context, { kind: 'status', status })
        assert.equal(error.status, status)
      }
    },
  },
  {
    id: 'failure-platform-reset',
    title: 'the platform drops the connection: ProviderError',
    run: async (context) => {
      await platformFailure(context, { kind: 'reset' })
    },
  },
]

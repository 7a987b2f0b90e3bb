import type { Cloud } from '../src/client.ts'
import { CloudfnError } from '../src/errors/cloudfn-error.ts'
import { echo, fail } from './fixtures/functions.ts'
import { FIDELITY_CASES } from './scenarios/payload.ts'

/**
 * What a target returns for a fixed set of inputs (every payload-fidelity
 * case, every kind of user error), without the parts that legitimately
 * differ (stacks, execution ids, provider names). Two targets that behave
 * identically give deep-equal observations.
 */
export async function observeResults(cloud: Cloud, prefix = 'same'): Promise<unknown[]> {
  const echoFn = await cloud.deploy(echo, { name: `${prefix}-echo` })
  const failFn = await cloud.deploy(fail, { name: `${prefix}-fail` })
  try {
    const seen: unknown[] = []
    for (const [, value] of FIDELITY_CASES) seen.push(await outcome(echoFn.invoke(value)))
    for (const kind of ['custom', 'type', 'string'] as const) seen.push(await outcome(failFn.invoke({ message: 'm', kind })))
    return seen
  } finally {
    await echoFn.remove()
    await failFn.remove()
  }
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await promise }
  } catch (error) {
    if (!CloudfnError.isInstance(error)) throw error
    const { remoteStack: _stack, executionId: _id, provider: _provider, message: _message, ...stable } = error.toJSON()
    return { error: stable }
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { observeResults } from './same-results.ts'
import type { ConformanceTarget, TargetSession } from './scenario.ts'
import { awsEmulatedTarget } from './targets/aws-emulated.ts'
import { azureEmulatedTarget } from './targets/azure-emulated.ts'
import { gcpEmulatedTarget } from './targets/gcp-emulated.ts'
import { localTarget } from './targets/local.ts'

/**
 * Every emulated backend gives what the local fake gives, for invocations
 * and for what its triggers hand the handler (queue messages of every JSON
 * kind, schedule events on a clock the test moves).
 */
const targets: Array<[ConformanceTarget, string | undefined]> = [
  [localTarget('worker'), undefined],
  [awsEmulatedTarget(), undefined],
  [azureEmulatedTarget(), undefined],
  [gcpEmulatedTarget(), undefined],
]

describe('same results on every backend', () => {
  let reference: unknown[]
  beforeAll(async () => {
    const session = await localTarget('inline').setup()
    try {
      reference = await observeResults(session.cloud, 'same', { clock: session.clock })
    } finally {
      await session.teardown()
    }
  }, 120_000)

  for (const [target, expectedFailure] of targets) {
    describe(target.name, () => {
      let session: TargetSession | undefined
      afterAll(() => session?.teardown())
      const register = expectedFailure ? it.fails : it
      const title = expectedFailure ? `EXPECTED FAILURE until ${expectedFailure}` : 'gives what local-inline gives'
      register(
        title,
        async () => {
          session = await target.setup()
          expect(await observeResults(session.cloud, 'same', { clock: session.clock })).toEqual(reference)
        },
        120_000,
      )
    })
  }
})

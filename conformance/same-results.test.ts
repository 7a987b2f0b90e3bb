import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manifests } from '../providers/registry.ts'
import { observeResults } from './same-results.ts'
import type { ConformanceTarget, TargetSession } from './scenario.ts'

/**
 * Every emulated backend gives what the local fake gives, for invocations
 * and for what its triggers hand the handler (queue messages of every JSON
 * kind, schedule events on a clock the test moves). The backends are every
 * provider's emulated targets (providers/<name>/manifest.ts); the reference
 * is the default provider's first one (the local fake, inline).
 */
const byDefaultFirst = [...manifests].sort((a, b) => Number(b.default ?? false) - Number(a.default ?? false))
const [referenceTarget, ...others] = (await Promise.all(byDefaultFirst.map((manifest) => manifest.conformance.emulated()))).flat()
if (!referenceTarget) throw new Error('no emulated conformance target in providers/*/manifest.ts')

/** Targets known to differ, by target name, with the issue that tracks it (none today). */
const EXPECTED_FAILURES: Record<string, string> = {}
const targets: Array<[ConformanceTarget, string | undefined]> = others.map((target) => [target, EXPECTED_FAILURES[target.name]])

describe('same results on every backend', () => {
  let reference: unknown[]
  beforeAll(async () => {
    const session = await referenceTarget.setup()
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
      const title = expectedFailure ? `EXPECTED FAILURE until ${expectedFailure}` : `gives what ${referenceTarget.name} gives`
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

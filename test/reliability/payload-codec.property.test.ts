/**
 * Property tests of the payload codec: whatever an input gives on the local
 * fake (a value after the JSON round trip, or an error), every emulated cloud
 * gives identically, with its real shim and real SDK in between.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import type { TargetSession } from '../../conformance/scenario.ts'
import { writeFigures } from '../../conformance/targets/faulty.ts'
import { awsEmulatedTarget } from '../../providers/aws/conformance/emulated-target.ts'
import { azureEmulatedTarget } from '../../providers/azure/conformance/emulated-target.ts'
import { gcpEmulatedTarget } from '../../providers/gcp/conformance/emulated-target.ts'
import { localTarget } from '../../providers/local/conformance/target.ts'
import { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import type { FunctionHandle } from '../../src/handle.ts'

const RUNS = 30
const SEED = 20_260_101

const number = fc.oneof(
  fc.double(), // NaN, ±Infinity and -0 included
  fc.constantFrom(-0, 0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, 1e308, 5e-324, 0.1 + 0.2),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
)
const string = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }), // emoji, combining marks, scripts
  fc.string({ unit: 'binary', maxLength: 20 }), // any code point, lone surrogates too
  fc.constantFrom('', '\u0000', '\u2028\u2029', '👩‍👩‍👧‍👦', '"\\/\b\f\n\r\t', '__proto__'),
)
const leaf = fc.oneof(number, string, fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }))
const { value: payload } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  // Optional keys with `undefined` values: JSON drops them on every backend.
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.option(tie('value'), { nil: undefined }), { maxKeys: 5 }),
}))

async function outcome(fn: FunctionHandle, input: unknown): Promise<unknown> {
  try {
    return { value: await fn.invoke(input) }
  } catch (error) {
    if (!CloudfnError.isInstance(error)) throw error
    return { error: error.code }
  }
}

const compared: Record<string, number> = {}
let local: TargetSession
let reference: FunctionHandle
beforeAll(async () => {
  local = await localTarget('inline').setup()
  reference = (await local.cloud.deploy(echo, { name: 'codec-echo' })) as FunctionHandle
})
afterAll(async () => {
  await reference.remove()
  await local.teardown()
  writeFigures('payload-codec', { seed: SEED, runsPerCloud: RUNS, compared })
})

// One emulator at a time: each listens with its own msw server.
for (const target of [awsEmulatedTarget(), gcpEmulatedTarget(), azureEmulatedTarget()]) {
  describe(`payload codec: ${target.name} round-trips what local does`, () => {
    let session: TargetSession
    let fn: FunctionHandle
    beforeAll(async () => {
      session = await target.setup()
      fn = (await session.cloud.deploy(echo, { name: 'codec-echo' })) as FunctionHandle
    })
    afterAll(async () => {
      await fn.remove()
      await session.teardown()
    })

    it(`${RUNS} generated payloads give what local gives`, async () => {
      await fc.assert(
        fc.asyncProperty(payload, async (input) => {
          const expected = await outcome(reference, input)
          expect(await outcome(fn, input)).toStrictEqual(expected)
          // What local returns is exactly JSON's round trip.
          expect(expected).toStrictEqual({ value: JSON.parse(JSON.stringify(input) ?? 'null') })
          compared[target.name] = (compared[target.name] ?? 0) + 1
        }),
        { numRuns: RUNS, seed: SEED },
      )
    })
  })
}

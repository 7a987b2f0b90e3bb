import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import type { FaultChooser } from '../../src/emulator/faults.ts'
import { assertExecutions } from '../expect.ts'
import { echo } from '../fixtures/functions.ts'
import type { ConformanceTarget, Scenario } from '../scenario.ts'
import { scenarios } from '../scenarios/index.ts'
import { type ExpectedFailures, runConformance } from '../vitest.ts'
import type { EmulatedTarget } from './emulated.ts'

export type { FaultChooser } from '../../src/emulator/faults.ts'

/** Share of requests that fail in a fault run, and the seed that makes the run repeatable. */
export const FAULT_RATE = 0.1
export const FAULT_SEED = 0x5eed

export interface FaultTally {
  /** Requests (and long-running operations) a fault could have hit. */
  drawn: number
  /** Faults injected, by kind. */
  injected: Record<string, number>
}

/**
 * A repeatable chooser for the emulators' `faults.injectRandomly`: one draw
 * of a linear congruential generator per request decides whether it fails
 * (with probability `rate`) and with which of the faults offered. The same
 * seed gives the same sequence of draws; which request gets which draw
 * follows the order requests arrive in.
 */
export function seededFaults(seed: number, rate: number): FaultChooser & { tally: FaultTally } {
  if (!(rate >= 0 && rate <= 1)) throw new Error('fault rate must be from 0 to 1')
  let state = seed >>> 0
  const tally: FaultTally = { drawn: 0, injected: {} }
  const choose = <K extends string>(kinds: readonly K[]): K | undefined => {
    // A request no fault may hit (e.g. an HTTP call: the caller gets whatever was answered) draws nothing.
    if (kinds.length === 0) return undefined
    tally.drawn++
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    const value = state / 2 ** 32
    if (value >= rate) return undefined
    const kind = kinds[Math.floor((value / rate) * kinds.length)] as K
    tally.injected[kind] = (tally.injected[kind] ?? 0) + 1
    return kind
  }
  return Object.assign(choose, { tally })
}

/** Writes a run's figures to `$CLOUDFN_RELIABILITY_OUT/<name>.json` when that is set (docs/RELIABILITY.md quotes them). */
export function writeFigures(name: string, figures: unknown): void {
  const out = process.env.CLOUDFN_RELIABILITY_OUT
  if (!out) return
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`)
}

export interface FaultRunFigures {
  target: string
  seed: number
  rate: number
  requestsDrawn: number
  faultsInjected: number
  faultsByKind: Record<string, number>
  mapInputs: number
  mapResults: number
  duplicates: number
  losses: number
  scenarios: number
}

/**
 * Under faults, map() over many inputs gives each input exactly one result
 * (every sync invoke is only ever throttled, so all succeed after retries),
 * and the backend ran each exactly once: no duplicates, no losses.
 */
function mapUnderFaults(figures: FaultRunFigures): Scenario {
  return {
    id: 'map-under-faults',
    title: 'map() under faults: one result per input, each input ran exactly once',
    async run({ cloud, probe, name }) {
      const fnName = name('fault-map')
      const fn = await cloud.deploy(echo, { name: fnName })
      const inputs = Array.from({ length: 120 }, (_, index) => ({ index }))
      const results = await fn.map(inputs, { concurrency: 8 })
      const seen = new Set(results.map((result) => result.index))
      figures.mapInputs += inputs.length
      figures.mapResults += results.length
      figures.losses += inputs.length - seen.size
      const ran = await probe.executions(fnName)
      if (ran !== undefined) figures.duplicates += Math.max(0, ran - inputs.length)
      results.forEach((result, index) => {
        assert.equal(result.index, index)
        assert.ok(result.ok, `input ${index} failed: ${result.ok ? '' : result.error.message}`)
        assert.deepEqual(result.value, inputs[index])
      })
      await assertExecutions(probe, fnName, inputs.length)
      await fn.remove()
    },
  }
}

/**
 * Runs the whole conformance suite, plus `map-under-faults`, on an emulated
 * target whose emulator fails `FAULT_RATE` of the requests with faults the
 * real cloud gives and cloudfn must survive (see each emulator's faults.ts).
 * The probe's request count leaves out requests a fault answered: those are
 * this run's doing, not the API's (an unchanged redeploy still sends at most
 * two requests that the backend handles). Writes the run's figures to
 * `$CLOUDFN_RELIABILITY_OUT/faults-<target>.json` when that is set.
 */
export function runConformanceUnderFaults(
  target: EmulatedTarget,
  seed = FAULT_SEED,
  expectedFailures: ExpectedFailures = {},
): void {
  const chooser = seededFaults(seed, FAULT_RATE)
  const figures: FaultRunFigures = {
    target: target.name,
    seed,
    rate: FAULT_RATE,
    requestsDrawn: 0,
    faultsInjected: 0,
    faultsByKind: {},
    mapInputs: 0,
    mapResults: 0,
    duplicates: 0,
    losses: 0,
    scenarios: 0,
  }
  const faulty: ConformanceTarget = {
    name: `${target.name}-faults`,
    async setup() {
      const { emulator, ...session } = await target.setupEmulated()
      emulator.faults.injectRandomly(chooser)
      const { probe } = session
      return {
        ...session,
        probe: { ...probe, requestCount: async () => (await probe.requestCount()) - emulator.faults.answeredByRandomFault },
      }
    },
  }
  const all = [...scenarios, mapUnderFaults(figures)]
  figures.scenarios = all.length
  runConformance([faulty], all, expectedFailures)
  describe(`fault run: ${target.name}`, () => {
    it('injected faults, and lost or repeated nothing', () => {
      figures.requestsDrawn = chooser.tally.drawn
      figures.faultsByKind = chooser.tally.injected
      figures.faultsInjected = Object.values(chooser.tally.injected).reduce((sum, count) => sum + count, 0)
      assert.ok(figures.faultsInjected > 0, 'no fault was injected')
      assert.equal(figures.duplicates, 0)
      assert.equal(figures.losses, 0)
      writeFigures(`faults-${target.name}`, figures)
    })
  })
}

import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import type { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { eventually, ScenarioSkipped } from '../expect.ts'
import { heldRecorder } from '../fixtures/held.ts'
import { newGate } from '../fixtures/recorders.ts'
import type { Scenario } from '../scenario.ts'

/** A hang guard only: every step below waits on an event (a recorded start, a settled call), not on time. */
const GUARD_MS = 120_000
/** Calls made at once against a ceiling of 1. */
const CALLS = 4

type Outcome = { tag: string; value: string } | { tag: string; error: CloudfnError }

/**
 * The neutral contract of `maxInstances` (README "Scale"): a call beyond the
 * ceiling does not run; it fails with `ThrottledError` (retryable), which
 * invoke retries under the client's retry policy, so it runs once an
 * execution ends, or fails with `Throttled` if none ends before the last
 * attempt. Here one execution is held (a gate file) until every excess call
 * has settled: exactly the excess is throttled, and the one that ran answers
 * its own input.
 */
export const scale: Scenario[] = [
  {
    id: 'scale-max-instances',
    title: 'maxInstances 1: of concurrent calls one runs and exactly the excess is throttled; retries run them once it ends',
    requires: (caps) =>
      caps.scale?.maxInstances ? undefined : 'this target cannot cap instances (no capabilities.scale.maxInstances)',
    async run({ cloud, probe, name, inbox: openInbox }) {
      if (!openInbox) throw new ScenarioSkipped('this target runs handlers where the test cannot hold or read them')
      const inbox = openInbox()
      const gate = newGate()
      try {
        const fnName = name('ceiling')
        // heldRecorder declares maxInstances: 1 in its module.
        const fn = await cloud.deploy(withOverrides(heldRecorder, { env: inbox.env }), { name: fnName })
        assert.equal(fn.warnings.filter((warning) => warning.setting === 'maxInstances').length, 0)
        const tags = Array.from({ length: CALLS }, (_, index) => `call-${index}`)
        const settled: Outcome[] = []
        const calls = tags.map((tag) =>
          fn.invoke({ gate: gate.path, tag }).then(
            (value) => settled.push({ tag, value }),
            (error: CloudfnError) => settled.push({ tag, error }),
          ),
        )
        // The excess settles while the one execution is held: the client's retries meet the ceiling every time.
        await eventually(async () => settled.length >= CALLS - 1, GUARD_MS, 'the calls beyond the ceiling to settle')
        // The one that holds the instance may still be starting it (a cold start can outlast every retry).
        await eventually(async () => inbox.deliveries().length > 0, GUARD_MS, 'the call holding the instance to start')
        const started = inbox.deliveries().map((delivery) => delivery.received)
        assert.equal(started.length, 1, `exactly one call may run at a time (started: ${JSON.stringify(started)})`)
        const running = started[0] as string
        assert.ok(tags.includes(running), `the running call is one of ours (got ${JSON.stringify(running)})`)
        assert.deepEqual(
          settled.map((outcome) => outcome.tag).sort(),
          tags.filter((tag) => tag !== running).sort(),
          'the calls that settled are exactly the ones that did not run',
        )
        for (const outcome of settled) {
          assert.ok('error' in outcome, `${outcome.tag} beyond the ceiling answered ${JSON.stringify(outcome)}`)
          assert.equal(outcome.error.code, 'Throttled', `${outcome.tag}: ${outcome.error.message}`)
          assert.equal(outcome.error.isRetryable, true)
        }
        gate.open()
        await Promise.all(calls)
        assert.deepEqual(settled.at(-1), { tag: running, value: running }, 'the call that ran answers its own input')
        const ran = await probe.executions(fnName)
        if (ran !== undefined) assert.equal(ran, 1, 'no throttled call ran')

        // Throttling is not sticky, and the retry policy queues: a call refused while another runs
        // goes on retrying and runs once that one ends.
        const second = newGate()
        const before = await probe.requestCount()
        const held = fn.invoke({ gate: second.path, tag: 'held' })
        const waiting = fn.invoke({ gate: second.path, tag: 'waiting' })
        // At least the held call, the waiting call and one retry of it (more requests only mean opening later).
        await eventually(async () => (await probe.requestCount()) - before >= 3, GUARD_MS, 'a throttled call to be retried')
        second.open()
        assert.deepEqual(await Promise.all([held, waiting]), ['held', 'waiting'])
        assert.deepEqual(
          inbox
            .deliveries()
            .map((delivery) => delivery.received)
            .sort(),
          [running, 'held', 'waiting'].sort(),
          'every call that ran was recorded once, with its own input',
        )
        await fn.remove()
      } finally {
        gate.open()
        inbox.close()
      }
    },
  },
]

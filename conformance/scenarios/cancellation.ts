import assert from 'node:assert/strict'
import { rejectedBeforeSending } from '../expect.ts'
import { echo, worker } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

/**
 * Cancellation is honoured by every call (issue #17): a call given an
 * already-aborted `AbortSignal` rejects with `Cancelled` and sends nothing.
 * The request count is the backend's own (the probe), not the API's word.
 */
const aborted = () => AbortSignal.abort(new Error('cancelled by the scenario'))

export const cancellation: Scenario[] = [
  {
    id: 'cancellation.control-plane-and-invoke',
    title: 'get, list, remove and invoke with an aborted signal reject with Cancelled and send nothing',
    async run({ cloud, probe, name }) {
      const fnName = name('cancel')
      const fn = await cloud.deploy(echo, { name: fnName })
      try {
        await rejectedBeforeSending(probe, () => cloud.get(fnName, { signal: aborted() }), 'Cancelled')
        await rejectedBeforeSending(probe, () => cloud.list({ signal: aborted() }), 'Cancelled')
        await rejectedBeforeSending(probe, () => cloud.remove(name('cancel-missing'), { signal: aborted() }), 'Cancelled')
        await rejectedBeforeSending(probe, () => fn.remove({ signal: aborted() }), 'Cancelled')
        await rejectedBeforeSending(probe, () => fn.invoke({ value: 1 }, { signal: aborted() }), 'Cancelled')
        // The cancelled calls changed nothing: the function is still there and still answers.
        assert.equal(await probe.exists(fnName), true)
        assert.deepEqual(await fn.invoke({ value: 2 }), { value: 2 })
      } finally {
        await fn.remove()
      }
    },
  },
  {
    id: 'cancellation.send',
    title: 'send with an aborted signal rejects with Cancelled and enqueues nothing',
    requires: (caps) => (caps.triggers.queue ? undefined : 'this target offers no queue trigger'),
    async run({ cloud, probe, name }) {
      const fnName = name('cancel-send')
      const fn = await cloud.deploy(worker, { name: fnName })
      try {
        await rejectedBeforeSending(probe, () => fn.send({ id: 1 }, { signal: aborted() }), 'Cancelled')
      } finally {
        await fn.remove()
      }
    },
  },
]

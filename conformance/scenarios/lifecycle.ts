import assert from 'node:assert/strict'
import { rejectsWith } from '../expect.ts'
import { echo } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

export const lifecycle: Scenario[] = [
  {
    id: 'lifecycle',
    title: 'deploy, get, list and remove a function',
    async run({ cloud, probe, name }) {
      const fnName = name('life')
      const fn = await cloud.deploy(echo, { name: fnName })
      assert.equal(fn.status, 'created')
      assert.equal(fn.name, fnName)
      assert.ok(await probe.exists(fnName), 'the backend does not hold the deployed function')
      const got = await cloud.get(fnName)
      assert.equal(got.codeHash, fn.codeHash)
      assert.equal(got.memoryMb, echo.memoryMb)
      assert.equal(got.timeoutSec, echo.timeoutSec)
      assert.ok(
        (await cloud.list()).some((record) => record.name === fnName),
        'list() does not include the function',
      )
      assert.deepEqual(await fn.remove(), { removed: true })
      assert.equal(await probe.exists(fnName), false, 'the backend still holds the removed function')
      await rejectsWith(cloud.get(fnName), 'NotFound')
    },
  },
  {
    id: 'redeploy-idempotent',
    title: 'redeploying an unchanged function changes nothing',
    async run({ cloud, probe, name }) {
      const fnName = name('same')
      const first = await cloud.deploy(echo, { name: fnName })
      const requestsBefore = await probe.requestCount()
      const second = await cloud.deploy(echo, { name: fnName })
      assert.equal(second.status, 'unchanged')
      assert.equal(second.codeHash, first.codeHash)
      assert.equal(second.configHash, first.configHash)
      assert.ok((await probe.requestCount()) - requestsBefore <= 2, 'an unchanged redeploy should not upload or reconfigure')
      assert.deepEqual(await second.invoke({ still: 'works' }), { still: 'works' })
      await second.remove()
    },
  },
  {
    id: 'remove-idempotent',
    title: 'removing twice, or removing a missing function, is not an error',
    async run({ cloud, probe, name }) {
      const fnName = name('gone')
      const fn = await cloud.deploy(echo, { name: fnName })
      assert.deepEqual(await fn.remove(), { removed: true })
      assert.deepEqual(await fn.remove(), { removed: false })
      assert.deepEqual(await cloud.remove(name('never-was')), { removed: false })
      assert.equal(await probe.exists(fnName), false)
    },
  },
  {
    id: 'not-found',
    title: 'get, invoke and logs of a missing function give NotFound',
    async run({ cloud, name, capabilities }) {
      const fnName = name('missing')
      const error = await rejectsWith(cloud.get(fnName), 'NotFound')
      assert.match(error.message, new RegExp(fnName))
      const fn = await cloud.deploy(echo, { name: fnName })
      await fn.remove()
      await rejectsWith(fn.invoke({}), 'NotFound')
      if (capabilities.logs) await rejectsWith(fn.logs(), 'NotFound')
    },
  },
]

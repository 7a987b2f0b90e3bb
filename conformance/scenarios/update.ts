import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import { readEnv, versionOne, versionTwo } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

export const update: Scenario[] = [
  {
    id: 'update-code',
    title: 'deploying new code under the same name replaces it, with a cold start',
    async run({ cloud, name, capabilities }) {
      const fnName = name('code')
      const first = await cloud.deploy(versionOne, { name: fnName })
      assert.equal((await first.invoke(null)).version, 1)
      assert.equal((await first.invoke(null)).coldStart, false)
      const second = await cloud.deploy(versionTwo, { name: fnName })
      assert.equal(second.status, 'updated')
      assert.notEqual(second.codeHash, first.codeHash)
      const after = await second.invoke(null)
      assert.equal(after.version, 2)
      if (capabilities.coldStartReport) assert.equal(after.coldStart, true, 'new code must start on a fresh instance')
      // The old handle names the same function, so it now reaches the new code too.
      assert.equal((await first.invoke(null)).version, 2)
      await second.remove()
    },
  },
  {
    id: 'update-config',
    title: 'changing memory, timeout and env updates the function in place',
    async run({ cloud, name }) {
      const fnName = name('config')
      const first = await cloud.deploy(readEnv, { name: fnName })
      assert.deepEqual(await first.invoke({ keys: ['MODE'] }), { MODE: 'fast' })
      const changed = withOverrides(readEnv, { memoryMb: 512, timeoutSec: 20, env: { MODE: 'slow', EXTRA: '1' } })
      const second = await cloud.deploy(changed, { name: fnName })
      assert.equal(second.status, 'updated')
      assert.equal(second.codeHash, first.codeHash, 'a config change must not change the code hash')
      assert.notEqual(second.configHash, first.configHash)
      const record = await cloud.get(fnName)
      assert.equal(record.memoryMb, 512)
      assert.equal(record.timeoutSec, 20)
      assert.deepEqual(record.envKeys, ['EXTRA', 'MODE'])
      assert.deepEqual(await second.invoke({ keys: ['MODE', 'EXTRA', 'GREETING'] }), { MODE: 'slow', EXTRA: '1', GREETING: null })
      await second.remove()
    },
  },
]

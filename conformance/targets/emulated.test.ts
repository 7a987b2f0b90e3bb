import assert from 'node:assert/strict'
import { describe, it } from 'vitest'
import { manifests } from '../../providers/registry.ts'

const emulated = manifests.filter((manifest) => manifest.emulates)

describe('the generic emulated target, on every emulator', () => {
  it.each(emulated.map((manifest) => [manifest.name, manifest] as const))(
    '%s: the probe counts requests, and reads as no writes',
    async (_name, manifest) => {
      const [target] = await manifest.conformance.emulated()
      assert.ok(target)
      const session = await target.setup()
      try {
        const { probe } = session
        const requests = await probe.requestCount()
        const writes = await probe.writeCount?.()
        assert.equal(typeof writes, 'number', 'the probe reads no write count')
        // list() only reads: it reaches the emulator, and writes nothing.
        assert.deepEqual(await session.cloud.list(), [])
        assert.ok((await probe.requestCount()) > requests)
        assert.equal(await probe.writeCount?.(), writes)
        assert.deepEqual(await probe.functionNames(), [])
      } finally {
        await session.teardown()
      }
    },
  )
})

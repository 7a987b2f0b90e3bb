import { afterEach, describe, expect, it, vi } from 'vitest'
import packageJson from '../package.json' with { type: 'json' }
import { assertSupportedNode, MINIMUM_NODE, unsupportedNodeReason } from '../src/node-version.ts'

describe('the Node.js version check', () => {
  it('accepts 22.12 and newer, refuses older with a message naming both versions', () => {
    for (const ok of ['22.12.0', '22.23.3', '23.0.0', '24.1.0', '26.0.0']) expect(unsupportedNodeReason(ok)).toBeUndefined()
    for (const old of ['20.20.2', '22.11.0', '18.0.0', '21.99.0']) {
      const reason = unsupportedNodeReason(old)
      expect(reason).toContain(`Node.js ${MINIMUM_NODE} or newer`)
      expect(reason).toContain(`this is Node.js ${old}`)
    }
  })

  it('says the same as engines.node in package.json', () => {
    expect(packageJson.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`)
  })

  describe('on import', () => {
    const real = process.versions.node
    const pretend = (version: string) => Object.defineProperty(process.versions, 'node', { value: version, configurable: true })
    afterEach(() => {
      pretend(real)
      vi.resetModules()
    })

    it('fails when any cloud or emulator entry point loads on Node 20', async () => {
      pretend('20.20.2')
      vi.resetModules()
      for (const entry of ['../src/index.ts', '../providers/local/index.ts', '../providers/aws/emulator/index.ts']) {
        await expect(import(entry), entry).rejects.toThrow('cloudfn needs Node.js 22.12.0 or newer, and this is Node.js 20.20.2')
        vi.resetModules()
      }
    })

    it('throws nothing on this Node', () => {
      expect(() => assertSupportedNode()).not.toThrow()
    })
  })
})

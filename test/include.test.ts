import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineFunction, InvalidArgumentError } from 'cloudfn'
import { local } from 'cloudfn/local'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TargetSession } from '../conformance/scenario.ts'
import { awsEmulatedTarget } from '../providers/aws/conformance/emulated-target.ts'
import { packageFunction } from '../src/package/index.ts'
import { packageFile } from '../src/package/package-root.ts'
import { readsFiles, readsMissing } from './fixtures/reads-files.ts'

const spec = { shimPath: packageFile('providers/local/shim.ts') }
const expected = { greeting: 'hello from a shipped file', unicode: 'ü✓' }

describe('include: files shipped with a function', () => {
  it('puts the matched files in the artifact at their path relative to the entry module', async () => {
    const files = unzipSync((await packageFunction(readsFiles as never, spec)).zip)
    expect(Object.keys(files).sort()).toEqual(['data/greeting.json', 'data/nested/deep.json', 'index.mjs'])
    expect(JSON.parse(new TextDecoder().decode(files['data/greeting.json']))).toEqual(expected)
  })

  it('packs a file that starts matching a glob after an earlier packaging in the same process', async () => {
    const dataDir = join(packageFile('test/fixtures/data'))
    const added = join(dataDir, 'added-later.json')
    const before = unzipSync((await packageFunction(readsFiles as never, spec)).zip)
    expect(Object.keys(before)).not.toContain('data/added-later.json')
    writeFileSync(added, '{"late":true}')
    try {
      const after = unzipSync((await packageFunction(readsFiles as never, spec)).zip)
      expect(Object.keys(after)).toContain('data/added-later.json')
    } finally {
      rmSync(added)
    }
  })

  it.each([
    [{ include: 'data/**' }, 'include'],
    [{ include: [''] }, 'include[0]'],
    [{ include: ['data/*', '../secrets/*'] }, 'include[1]'],
    [{ include: ['/etc/passwd'] }, 'include[0]'],
  ])('refuses %j, naming %s', (config, field) => {
    const make = () => defineFunction({ name: 'bad', handler: () => null, ...(config as object) })
    expect(make).toThrow(InvalidArgumentError)
    try {
      make()
    } catch (error) {
      expect((error as InvalidArgumentError).field).toBe(field)
    }
  })

  it('refuses at deploy a glob that matches nothing, before sending', async () => {
    const cloud = local({ isolation: 'worker' })
    await expect(cloud.deploy(readsMissing)).rejects.toThrow(/include\[0\] "no-such-dir\/\*\.json" matches no file/)
    expect(await cloud.list()).toEqual([])
  })

  it('the same relative read works inline, in a worker and on an emulated cloud', async () => {
    for (const isolation of ['inline', 'worker'] as const) {
      const fn = await local({ isolation }).deploy(readsFiles)
      expect(await fn.invoke('greeting.json'), isolation).toEqual(expected)
      expect(await fn.invoke('nested/deep.json'), isolation).toEqual({ depth: 2 })
      await fn.remove()
    }
  })

  describe('on the AWS emulator', () => {
    let session: TargetSession
    beforeAll(async () => {
      session = await awsEmulatedTarget().setup()
    })
    afterAll(() => session?.teardown())

    it('reads the shipped file', async () => {
      const fn = await session.cloud.deploy(readsFiles)
      expect(await fn.invoke('greeting.json')).toEqual(expected)
      await fn.remove()
    })
  })
})

/**
 * The local fake's persisted state (what the CLI keeps under .cloudfn/local):
 * one commit point per deploy, content-addressed artifacts, env values readable
 * by the owner only, and damaged folders or leftovers that block nothing,
 * that deploy repairs and that gc removes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { createLocalProvider, local } from '../../providers/local/index.ts'
import { withOverrides } from '../../src/index.ts'
import { replacement, slow } from '../fixtures/behaviours.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudfn-state-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const persisted = () => local({ isolation: 'worker', persistDir: dir })
const folder = (name: string) => join(dir, name)

/** Leaves out unpacked folders other killed processes on this machine (test workers) left: gc takes those too. */
const ours = (removed: readonly string[], keep?: string) =>
  removed.filter((resource) => resource === keep || !resource.startsWith(`temp:${join(tmpdir(), 'cloudfn-unpacked-')}`)).sort()

/** A pid no process has (beyond Linux's pid_max), as a killed process's would be. */
const DEAD_PID = 4_194_999

describe('local persisted state', () => {
  it('writes deployment.json readable by its owner only (it holds env values)', async () => {
    const withSecret = withOverrides(echo, { name: 'secretive', env: { DB_PASSWORD: 'hunter2' } })
    await persisted().deploy(withSecret)
    expect(statSync(join(folder('secretive'), 'deployment.json')).mode & 0o777).toBe(0o600)
  })

  it('names the artifact by its hash, keeps only the deployed one, and leaves no temporary file', async () => {
    const cloud = persisted()
    const first = await cloud.deploy(slow, { name: 'swap' })
    const second = await cloud.deploy(replacement, { name: 'swap' })
    expect(second.codeHash).not.toBe(first.codeHash)
    expect(readdirSync(folder('swap')).sort()).toEqual([`artifact-${second.codeHash}.zip`, 'deployment.json'])
    const saved = JSON.parse(readFileSync(join(folder('swap'), 'deployment.json'), 'utf8')) as { artifact: { sha256: string } }
    expect(saved.artifact.sha256).toBe(second.codeHash)
  })

  it('a damaged record blocks nothing: ls skips it, invoke says so, deploy repairs it, gc removes it', async () => {
    const cloud = persisted()
    await cloud.deploy(echo, { name: 'healthy' })
    await cloud.deploy(echo, { name: 'broken' })
    await cloud.deploy(echo, { name: 'cut' })
    // What a killed write of an older version left: a truncated record, a truncated zip.
    writeFileSync(join(folder('broken'), 'deployment.json'), '{"record": {"na')
    const zip = readdirSync(folder('cut')).find((name) => name.endsWith('.zip')) as string
    writeFileSync(join(folder('cut'), zip), readFileSync(join(folder('cut'), zip)).subarray(0, 40))

    const next = persisted()
    expect((await next.list()).map((record) => record.name)).toEqual(['healthy'])
    await expect(next.get('broken').then((fn) => fn.invoke({}))).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringMatching(/cannot be loaded \(deployment.json is not valid JSON.*deploy it again, or run gc/),
    })
    await expect(next.get('cut').then((fn) => fn.invoke({}))).rejects.toMatchObject({
      message: expect.stringContaining('does not match its hash'),
    })
    expect(await (await next.get('healthy')).invoke({ still: 'fine' })).toEqual({ still: 'fine' })

    const repaired = await next.deploy(echo, { name: 'broken' })
    expect(repaired.status).toBe('created')
    expect(await repaired.invoke({ repaired: true })).toEqual({ repaired: true })

    const dry = await persisted().gc({ olderThanMs: 3_600_000, dryRun: true })
    expect(ours(dry.removed)).toEqual(['damaged:cut'])
    expect(existsSync(folder('cut'))).toBe(true)
    const collected = await persisted().gc({ olderThanMs: 3_600_000 })
    expect(ours(collected.removed)).toEqual(['damaged:cut'])
    expect(readdirSync(dir).sort()).toEqual(['broken', 'healthy'])
  })

  it('gc finds a folder holding only an artifact, temporary files and unpacked folders of killed processes', async () => {
    const cloud = persisted()
    const fn = await cloud.deploy(echo, { name: 'live' })
    mkdirSync(folder('orphan'))
    writeFileSync(join(folder('orphan'), 'artifact.zip'), 'PK')
    writeFileSync(join(folder('live'), `deployment.json.${DEAD_PID}.0a1b2c.tmp`), '{"rec')
    // A removal killed after renaming the folder away.
    const removing = join(dir, `.removing-gone.${DEAD_PID}.0d0e0f.tmp`)
    mkdirSync(removing)
    writeFileSync(join(removing, 'deployment.json'), '{}')
    const unpacked = join(tmpdir(), `cloudfn-unpacked-${DEAD_PID}-AbC123`)
    mkdirSync(join(unpacked, fn.codeHash), { recursive: true })
    try {
      const dry = await cloud.gc({ olderThanMs: 3_600_000, dryRun: true })
      expect(ours(dry.removed, `temp:${unpacked}`)).toEqual(
        [
          'damaged:orphan',
          `temp:${join(folder('live'), `deployment.json.${DEAD_PID}.0a1b2c.tmp`)}`,
          `temp:${removing}`,
          `temp:${unpacked}`,
        ].sort(),
      )
      expect(existsSync(unpacked)).toBe(true)
      const collected = await cloud.gc({ olderThanMs: 3_600_000 })
      expect(ours(collected.removed, `temp:${unpacked}`)).toEqual(ours(dry.removed, `temp:${unpacked}`))
      expect(existsSync(unpacked)).toBe(false)
      expect(readdirSync(dir)).toEqual(['live'])
      expect(await fn.invoke({ after: 'gc' })).toEqual({ after: 'gc' })
    } finally {
      rmSync(unpacked, { recursive: true, force: true })
    }
  })

  it('concurrent deploys from two processes leave the record and the code of one same version', async () => {
    const a = persisted()
    const b = persisted()
    for (let round = 0; round < 6; round++) {
      const [first, second] = await Promise.all([a.deploy(slow, { name: 'raced' }), b.deploy(replacement, { name: 'raced' })])
      const reader = persisted()
      const record = (await reader.list())[0]
      expect([first.codeHash, second.codeHash]).toContain(record?.codeHash)
      const running = await (await reader.get('raced')).invoke({ ms: 0, tag: 'old code' })
      // What runs is what the record says, and deploying that version again is `unchanged`.
      expect(running).toBe(record?.codeHash === first.codeHash ? 'old code' : 'new code')
      const again = await reader.deploy(record?.codeHash === first.codeHash ? slow : replacement, { name: 'raced' })
      expect(again.status).toBe('unchanged')
    }
  })

  it('calls that load a deployment at once share one runner (its instance limit holds)', async () => {
    await persisted().deploy(slow)
    const provider = createLocalProvider({ isolation: 'worker', persistDir: dir, maxInstances: 1 })
    const call = (tag: string) =>
      provider.doInvoke({ name: 'slow', payload: JSON.stringify({ ms: 300, tag }), includeLogs: false }, {}).then(
        () => tag,
        (error: { code?: string }) => error.code,
      )
    expect((await Promise.all([call('a'), call('b')])).sort()).toEqual(['Throttled', 'a'])
  })

  it('a deploy from a process holding an old view compares with what is on disk', async () => {
    const a = persisted()
    const b = persisted()
    await a.deploy(slow, { name: 'stale' })
    await b.deploy(replacement, { name: 'stale' })
    // `a` still has the first version in memory; the disk has the second.
    const redeployed = await a.deploy(slow, { name: 'stale' })
    expect(redeployed.status).toBe('updated')
    expect(await (await persisted().get('stale')).invoke({ ms: 0, tag: 'old code' })).toBe('old code')
  })
})

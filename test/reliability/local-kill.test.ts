/**
 * SIGKILL during local deploys: a child process deploys two versions of one
 * function in turn, persisted, and is killed at a different point each trial.
 * Whatever the kill point, the state must converge: list, invoke, gc and
 * deploy all work, what runs is what the record says (code and config of one
 * version), and after gc nothing but the deployment is left. The assertion is
 * that convergence, never a timing: kill delays only spread the kill points.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { local } from '../../providers/local/index.ts'
import { defineFunction } from '../../src/define.ts'
import { versions } from '../fixtures/versions.ts'

const TRIALS = 30
const LOOP = fileURLToPath(new URL('../fixtures/deploy-loop.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cloudfn-kill-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Starts the deploy loop, kills it `delayMs` after it is ready, resolves with the deploys it reported. */
function killDuringDeploys(delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOOP, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      const first = out === ''
      out += chunk.toString()
      if (first && out.startsWith('ready')) setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the deploy loop ended by itself: ${err}`))
      else resolve(out.split('\n').filter((line) => line.startsWith('deployed')).length)
    })
  })
}

describe('local deploys killed with SIGKILL', () => {
  it(`converge after each of ${TRIALS} kills at different points`, { timeout: 600_000 }, async () => {
    const cloud = local({ isolation: 'worker', persistDir: dir })
    const definitions = versions.map((version) => defineFunction(version))
    const figures = { trials: 0, leftoversCollected: 0, deploysKilledAround: 0 }
    for (let trial = 0; trial < TRIALS; trial++) {
      // Spread over the first deploys (packaging, then saves): 0, 67, 134, ... ms, wrapping at 2 s.
      const deploys = await killDuringDeploys((trial * 67) % 2000)
      figures.trials++
      figures.deploysKilledAround += deploys

      // ls works; the function is there once any deploy committed.
      const listed = await cloud.list()
      expect(listed.map((record) => record.name)).toEqual(deploys > 0 || listed.length > 0 ? ['versioned'] : [])
      if (listed.length > 0) {
        // What runs is one version whole: its code with its own config.
        const ran = (await (await cloud.get('versioned')).invoke(null)) as { code: string; env: string }
        expect(ran.env).toBe(ran.code)
        // And the record says the same: deploying that version again changes nothing.
        const same = definitions[ran.code === 'one' ? 0 : 1] as (typeof definitions)[number]
        expect((await cloud.deploy(same)).status).toBe('unchanged')
      }

      // gc removes what the kill left (temp files, an uncommitted artifact), never the deployment.
      const collected = await cloud.gc({ olderThanMs: 3_600_000 })
      const ours = collected.removed.filter((resource) => !resource.startsWith(`temp:${join(tmpdir(), 'cloudfn-unpacked-')}`))
      if (ours.length > 0) figures.leftoversCollected++
      expect(collected.removed).not.toContain('function:versioned')
      const files = readdirSync(dir).flatMap((name) => readdirSync(join(dir, name)).map((file) => `${name}/${file}`))
      expect(
        files.filter((file) => !/^versioned\/(deployment\.json|artifact-[0-9a-f]{64}\.zip|logs\.jsonl)$/.test(file)),
      ).toEqual([])

      // deploy works and what it deployed runs.
      const next = definitions[trial % 2] as (typeof definitions)[number]
      await cloud.deploy(next)
      const after = (await (await cloud.get('versioned')).invoke(null)) as { code: string; env: string }
      expect(after).toEqual({ code: next.exportName, env: next.exportName })
    }
    console.log(`SIGKILL figures: ${JSON.stringify(figures)}`)
    expect(figures.trials).toBe(TRIALS)
  })
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleOutputFile, packageDirOf } from './bundle-temp.ts'

const root = mkdtempSync(join(tmpdir(), 'cloudfn-bundle-temp-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('where the CLI compiles a module it loads', () => {
  it("uses the source's own package in a monorepo run from its root, so its dependencies resolve", () => {
    const pkg = join(root, 'packages', 'a')
    mkdirSync(join(pkg, 'src'), { recursive: true })
    writeFileSync(join(root, 'package.json'), '{}')
    writeFileSync(join(pkg, 'package.json'), '{}')
    const source = join(pkg, 'src', 'fn.ts')
    expect(packageDirOf(source, root)).toBe(pkg)
    expect(bundleOutputFile(root)(source, 'esm')).toMatch(
      new RegExp(`^${join(pkg, '.cloudfn', 'tmp', 'fn.ts.bundled_')}${process.pid}_[0-9a-f]+\\.mjs$`),
    )
  })

  it('uses the working directory for a module of the project run from its folder', () => {
    const project = join(root, 'project')
    mkdirSync(join(project, 'functions'), { recursive: true })
    writeFileSync(join(project, 'package.json'), '{}')
    expect(packageDirOf(join(project, 'functions', 'fn.ts'), project)).toBe(project)
    expect(packageDirOf(join(project, 'fn.ts'), project)).toBe(project)
  })
})

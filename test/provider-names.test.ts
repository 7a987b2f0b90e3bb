import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { providerFolders } from '../scripts/sync-providers.ts'
import { packageRoot } from '../src/package/package-root.ts'

/**
 * "A new cloud is a new folder": outside `providers/<name>/` (and docs, and
 * the files generated from the manifests), the core, the CLI, the
 * conformance suite and the build configs never name a provider, so adding,
 * renaming or removing one needs no edit there. Comments may mention clouds;
 * code may not (a path into a provider's folder, a subpath, a name in quotes,
 * or an identifier built on it such as `awsTarget` or `createAwsEmulator`).
 */
const CHECKED = ['src', 'cli', 'conformance', 'scripts', 'tsup.config.ts', 'vitest.config.ts']

/**
 * Places that still name a provider, each with the reason it is not fixed
 * yet. An entry that no longer matches fails the test, so the list only shrinks.
 */
const KNOWN: Record<string, string> = {}

function files(path: string): string[] {
  // Test files may drive a given provider end to end (the CLI's tests run `--provider aws --emulate`).
  if (statSync(path).isFile()) return /\.(ts|json)$/.test(path) && !path.endsWith('.test.ts') ? [path] : []
  return readdirSync(path).flatMap((entry) => (entry === 'node_modules' ? [] : files(join(path, entry))))
}

/** Platform names that contain a provider's name without naming it (Node's `AsyncLocalStorage` is not the local fake's). */
const NOT_PROVIDERS = /\bAsyncLocalStorage\b/g

/** The code of a file without its comments (line comments need a space or line start before them, not `https://`). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|\s)\/\/.*$/gm, '$1')
    .replace(NOT_PROVIDERS, '')
}

function patternFor(name: string): RegExp {
  const cap = name.charAt(0).toUpperCase() + name.slice(1)
  return new RegExp(
    [
      `providers/${name}\\b`,
      `cloudfn/${name}\\b`,
      `['"\`]${name}(['"\`]|-)`,
      `\\b${name}[A-Z]\\w*`,
      `\\w*${cap}(?=[A-Z])\\w*`,
      // An object key with a literal value: a per-provider table (\`{ gcp: { status: 400 } }\`), not a field
      // that happens to share a provider's name (\`local: string\`).
      `(?<![\\w.])${name}\\??\\s*:\\s*[{['"\`]`,
    ].join('|'),
    'g',
  )
}

describe('no provider is named outside its folder', () => {
  const root = packageRoot()
  const names = providerFolders()

  it('finds the providers to look for', () => {
    expect(names).toEqual(expect.arrayContaining(['local']))
  })

  it('in the core, the CLI, the conformance suite and the build configs', () => {
    const found: Record<string, string[]> = {}
    for (const file of CHECKED.flatMap((path) => files(join(root, path)))) {
      const path = relative(root, file).split('\\').join('/')
      const text = code(readFileSync(file, 'utf8'))
      const hits = names.flatMap((name) => [...text.matchAll(patternFor(name))].map((match) => match[0]))
      if (hits.length > 0) found[path] = [...new Set(hits)]
    }
    const known = Object.fromEntries(Object.keys(KNOWN).map((path) => [path, found[path] ?? []]))
    const unexpected = Object.fromEntries(Object.entries(found).filter(([path]) => !(path in KNOWN)))
    expect(unexpected).toEqual({})
    // Each known exception that exists still names a provider (remove it from KNOWN once fixed).
    for (const [path, hits] of Object.entries(known)) {
      if (existsSync(join(root, path))) expect(hits.length, path).toBeGreaterThan(0)
    }
  })

  it('catches a provider named in code, and not in a comment', () => {
    const pattern = patternFor('aws')
    const sample = code(
      `// aws is fine in prose, and \`aws\` too\nimport { x } from '../providers/aws/index.ts'\nconst t = awsTarget()\nnew createAwsEmulator()\nif (p === 'aws') {}\nconst n = 'aws-emulated'\nconst on = { aws: { status: 400 } }\nconst field: { local: string }\n`,
    )
    expect([...sample.matchAll(pattern)].map((match) => match[0])).toEqual([
      'providers/aws',
      'awsTarget',
      'createAwsEmulator',
      "'aws'",
      "'aws-",
      'aws: {',
    ])
    expect([...sample.matchAll(patternFor('local'))]).toEqual([])
    const scope = code("import { AsyncLocalStorage } from 'node:async_hooks'\nconst t = localTarget()\n")
    expect([...scope.matchAll(patternFor('local'))].map((match) => match[0])).toEqual(['localTarget'])
  })
})

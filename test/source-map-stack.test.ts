import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { encode } from '@jridgewell/sourcemap-codec'
import { FunctionError } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { manifests } from '../providers/registry.ts'
import { bundleFunction } from '../src/package/bundle.ts'
import { compactMap, encodeMappings } from '../src/package/bundle-source-map.ts'
import { packageFile, packageRoot } from '../src/package/package-root.ts'
import { projectStack } from '../src/runtime/project-stack.ts'
import {
  decodeMappings,
  type FrameRewrite,
  originalPosition,
  rewriteStack,
  type Segment,
  SOURCE_MAP_MARK,
} from '../src/runtime/source-map-stack.ts'
import { placeOrder } from './fixtures/throws-at-line.ts'
import { readOrder } from './fixtures/throws-in-dependency.ts'

const FIXTURE = 'test/fixtures/throws-at-line.ts'
const fixtureLines = readFileSync(fileURLToPath(new URL('./fixtures/throws-at-line.ts', import.meta.url)), 'utf8').split('\n')

/** `file:line:column` (1-based) of `code` on the fixture's line holding `marker`, found by content. */
function positionOf(marker: string, code: string): string {
  const index = fixtureLines.findIndex((line) => line.includes(marker))
  return `${FIXTURE}:${index + 1}:${(fixtureLines[index] ?? '').indexOf(code) + 1}`
}

// The error is made at `new RangeError(...)`; the handler's frame is at the call of checkOrder.
const EXPECTED_FRAMES = [
  `    at checkOrder (${positionOf('THROW-LINE', 'new RangeError')})`,
  `    at Object.handler (${positionOf('CALL-LINE', 'checkOrder(order)')})`,
]

/** Every provider's emulated targets (providers/<name>/manifest.ts): the local fake in both isolations and each emulator. */
const emulated = (await Promise.all(manifests.map((manifest) => manifest.conformance.emulated()))).flat()

describe.each(emulated)('a remote stack on $name', (target) => {
  it("names the user's sources relative to the project and ends with the handler's frames", async () => {
    const session = await target.setup()
    try {
      const fn = await session.cloud.deploy(placeOrder, { name: 'place-order-stack' })
      const error = await fn.invoke({ quantity: 0 }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      await fn.remove()
      expect(FunctionError.isInstance(error)).toBe(true)
      const stack = (error as FunctionError).remoteStack ?? ''
      expect(stack.split('\n')).toEqual(['RangeError: quantity must be positive', ...EXPECTED_FRAMES])
    } finally {
      await session.teardown()
    }
  })
})

describe('compact source maps', () => {
  it('encode and decode to the same segments', () => {
    const lines: Segment[][] = [
      [],
      [[0, 0, 0, 0], [7, 0, 0, 6], [12]],
      [],
      [
        [2, 1, 40, 3],
        [9, 0, 2, 0],
      ],
    ]
    expect(decodeMappings(encodeMappings(lines))).toEqual(lines)
    // A real esbuild mapping survives the round trip.
    const esbuilt = ';AAAA,SAAS,sBAAsB;AAExB,IAAM,QAAQ,eAAe,EAAE,MAAM,eAAe,SAAS,MAAM,QAAQ,CAAC;;;ACFxB,QAAQ,IAAI,KAAK'
    expect(encodeMappings(decodeMappings(esbuilt))).toBe(esbuilt)
  })

  it('look a position up on its own line only: an unmapped line or column is unmapped, not the line above', () => {
    const lines = decodeMappings(encodeMappings([[[0, 0, 4, 2], [10]], [], [[5, 0, 9, 0]]]))
    expect(originalPosition(lines, 0, 3)).toEqual({ source: 0, line: 4, column: 2 })
    expect(originalPosition(lines, 0, 12)).toBeUndefined()
    expect(originalPosition(lines, 1, 0)).toBeUndefined()
    expect(originalPosition(lines, 2, 4)).toBeUndefined()
    expect(originalPosition(lines, 2, 6)).toEqual({ source: 0, line: 9, column: 0 })
  })

  it("drop the runtime's lines and the sources only they used", () => {
    const mappings = encodeMappings([[[0, 0, 1, 0]], [[0, 1, 5, 0]], [[0, 2, 7, 4]]])
    const compact = compactMap({ sources: ['a.ts', 'runtime.ts', 'b.ts'], mappings }, [[1, 2]], (source) => `src/${source}`)
    expect(compact?.sources).toEqual(['src/a.ts', 'src/b.ts'])
    expect(decodeMappings(compact?.mappings ?? '')).toEqual([[[0, 0, 1, 0]], [], [[0, 1, 7, 4]]])
    expect(compact?.x_cloudfnRuntimeLines).toEqual([[1, 2]])
  })

  it('map the segments of renamed identifiers (a fifth field, the name), without keeping names', () => {
    // esbuild prints a second top-level `x` as `x2` and names the original in the segment.
    const mappings = encode([
      [
        [0, 0, 3, 2],
        [20, 0, 9, 4, 0],
      ],
    ])
    const compact = compactMap({ sources: ['a.ts'], mappings }, [], (source) => `src/${source}`)
    expect(compact?.names).toEqual([])
    const lines = decodeMappings(compact?.mappings ?? '')
    expect(lines).toEqual([
      [
        [0, 0, 3, 2],
        [20, 0, 9, 4],
      ],
    ])
    expect(originalPosition(lines, 0, 21)).toEqual({ source: 0, line: 9, column: 4 })
  })
})

describe("a remote stack through the user's dependencies", () => {
  const lines = readFileSync(fileURLToPath(new URL('./fixtures/throws-in-dependency.ts', import.meta.url)), 'utf8').split('\n')
  const at = (marker: string, code: string) => {
    const index = lines.findIndex((line) => line.includes(marker))
    return `test/fixtures/throws-in-dependency.ts:${index + 1}:${(lines[index] ?? '').indexOf(code) + 1}`
  }
  const original = readFileSync(fileURLToPath(new URL('./fixtures/compiled/check-quantity.ts', import.meta.url)), 'utf8').split(
    '\n',
  )
  const throwLine = original.findIndex((line) => line.includes('THROW-LINE'))

  // One in-process bundle (the local fake's worker) and one emulated cloud.
  const two = emulated.filter((target) => target.name === 'local-worker' || target.name === 'aws-emulated')
  it.each(two)('keeps and maps their frames on $name', async (target) => {
    const session = await target.setup()
    try {
      const fn = await session.cloud.deploy(readOrder, { name: 'read-order-stack' })
      const stackOf = async (input: { zip?: boolean; quantity: number }) =>
        ((await fn.invoke(input).catch((thrown: unknown) => thrown)) as FunctionError).remoteStack?.split('\n') ?? []
      // A source map of the dependency's own is followed to its original.
      expect(await stackOf({ quantity: 101 })).toEqual([
        'RangeError: at most 100',
        `    at checkQuantity (test/fixtures/compiled/check-quantity.ts:${throwLine + 1}:${(original[throwLine] ?? '').indexOf('new RangeError') + 1})`,
        `    at Object.handler (${at('CHECK-LINE', 'checkQuantity(')})`,
      ])
      // A package without one is named by its own file, and the handler's frame still follows it.
      const unzip = await stackOf({ zip: true, quantity: 1 })
      expect(unzip.at(-1)).toBe(`    at Object.handler (${at('UNZIP-LINE', 'unzipSync(')})`)
      const packageFrames = unzip.slice(1, -1)
      expect(packageFrames.length).toBeGreaterThan(0)
      for (const frame of packageFrames) expect(frame).toMatch(/\(\S*node_modules\/fflate\/esm\/index\.mjs:\d+:\d+\)$/)
      await fn.remove()
    } finally {
      await session.teardown()
    }
  })
})

describe("an artifact's source map", () => {
  it('names sources relative to the project, with no absolute path of this machine and no source text', async () => {
    const { code } = await bundleFunction({
      entry: placeOrder.entry as string,
      exportName: 'placeOrder',
      functionName: 'place-order',
      shimPath: packageFile('providers/local/shim.ts'),
    })
    const text = new TextDecoder().decode(code)
    expect(text).not.toContain(packageRoot())
    const mapLine = text.trimEnd().split('\n').at(-1) ?? ''
    expect(mapLine.startsWith(SOURCE_MAP_MARK)).toBe(true)
    const map = JSON.parse(mapLine.slice(SOURCE_MAP_MARK.length)) as Record<string, unknown>
    // Only the user's module: cloudfn's runtime and shim are line ranges, not sources.
    expect(map.sources).toEqual([FIXTURE])
    expect(map).not.toHaveProperty('sourcesContent')
  })
})

describe('stack rewriting', () => {
  const rewrite: FrameRewrite = (text) => {
    if (text.includes('RUNTIME')) return 'runtime'
    return text.includes('USER') ? { text: text.replace('USER', 'src/a.ts'), user: true } : { text, user: false }
  }

  it("cuts below the user's frames, with Node's own frames between them and the runtime", () => {
    const stack = [
      'Error: two',
      'lines',
      '    at inner (USER:1:2)',
      '    at JSON.parse (<anonymous>)',
      '    at outer (USER:3:4)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
      '    at async runDefinition (RUNTIME:9:9)',
      '    at async host (file:///var/runtime/index.mjs:1:1)',
    ].join('\n')
    expect(rewriteStack(stack, rewrite).split('\n')).toEqual([
      'Error: two',
      'lines',
      '    at inner (src/a.ts:1:2)',
      '    at JSON.parse (<anonymous>)',
      '    at outer (src/a.ts:3:4)',
    ])
  })

  it("drops Node's timer frames below a callback's, and leaves a stack with no user frame as it was", () => {
    const timer = ['Error: late', '    at Timeout._onTimeout (USER:5:6)', '    at listOnTimeout (node:internal/timers:594:17)']
    expect(rewriteStack(timer.join('\n'), rewrite)).toBe('Error: late\n    at Timeout._onTimeout (src/a.ts:5:6)')
    const runtimeOnly = [
      'TypeError: An HTTP function must return a Response',
      '    at runHttp (RUNTIME:1:1)',
      '    at host (x:1:1)',
    ]
    expect(rewriteStack(runtimeOnly.join('\n'), rewrite)).toBe(runtimeOnly.join('\n'))
  })

  it('names project files relative to the root when unbundled (inline mode), cutting at the runtime module', () => {
    const root = join(tmpdir(), 'app')
    const runtimeFile = pathToFileURL(join(root, 'node_modules', 'cloudfn', 'dist', 'chunk.js')).href
    const stack = [
      'Error: x',
      `    at check (${pathToFileURL(join(root, 'src', 'orders.ts')).href}:12:9)`,
      `    at handler (${join(root, 'src', 'index.ts')}:3:1)`,
      `    at runDefinition (${runtimeFile}:40:2)`,
      `    at run (${fileURLToPath(runtimeFile)}:80:2)`,
    ].join('\n')
    expect(projectStack(stack, root, runtimeFile).split('\n')).toEqual([
      'Error: x',
      '    at check (src/orders.ts:12:9)',
      '    at handler (src/index.ts:3:1)',
    ])
  })
})

/**
 * The bundle's source map, made compact and appended to the bundle for the
 * artifact's runtime to map handler stacks (src/runtime/source-map-stack.ts).
 *
 * Compact: no `sourcesContent`, no names, and only the code reachable from the
 * user's module (their files and their dependencies). cloudfn's shim, runtime
 * and the cloud's adapter package (`@azure/functions`) are only listed as line
 * ranges, which keeps the hello-world artifacts small (issue #19) and tells the
 * runtime where the handler's part of a stack ends. Sources are relative to the user's
 * project root (the nearest package.json above the module), so no absolute path
 * of the developer's machine enters the artifact.
 */
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { encode } from '@jridgewell/sourcemap-codec'
import type { Metafile, OutputFile } from 'esbuild'
import { type CompactSourceMap, decodeMappings, type Segment, SOURCE_MAP_MARK } from '../runtime/source-map-stack.ts'

/** The nearest folder above `file` with a package.json: what stacks name sources relative to. */
export function projectRootOf(file: string): string {
  let dir = dirname(file)
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return dirname(file)
    dir = parent
  }
}

export interface AttachInput {
  outputs: readonly OutputFile[]
  metafile: Metafile
  /** esbuild's `absWorkingDir`, which metafile paths and (with the outfile there) map sources are relative to. */
  workingDir: string
  /** Absolute path of the user's module. */
  entry: string
  /** Absolute path of the slim `cloudfn` runtime the user's `import 'cloudfn'` resolves to: never mapped. */
  slimRuntime: string
}

/** The bundle's code with the compact map as its last line (the code alone when nothing maps). */
export function codeWithSourceMap(input: AttachInput): Uint8Array {
  const code = input.outputs.find((file) => !file.path.endsWith('.map'))
  if (!code) throw new Error('esbuild produced no output')
  const mapFile = input.outputs.find((file) => file.path.endsWith('.map'))
  if (!mapFile) return code.contents
  const map = JSON.parse(mapFile.text) as { sources: string[]; mappings: string }
  const runtime = runtimeLines(code.text, input)
  const root = projectRootOf(input.entry)
  const compact = compactMap(map, runtime, (source) => {
    // Sources composed from a dependency's own map may be URLs (`webpack://pkg/src/x.ts`): kept as they are.
    if (/^[a-z][\w+.-]+:/i.test(source)) return source
    const named = relative(root, resolve(input.workingDir, source))
    // On another drive (Windows) the path would be absolute: its tail still names the file without leaking the machine's layout.
    return (isAbsolute(named) ? named.split(sep).slice(-3) : named.split(sep)).join('/')
  })
  if (!compact) return code.contents
  const line = `\n${SOURCE_MAP_MARK}${JSON.stringify(compact)}\n`
  return Buffer.concat([code.contents, Buffer.from(line)])
}

/**
 * The generated lines of code the user's module does not reach: esbuild's
 * helpers and banner before the first module, cloudfn's entry, shim and runtime,
 * and the cloud's adapter. Unminified, esbuild starts each module's code with a
 * `// <path>` line naming its metafile input, and drops every other comment, so
 * those lines split the bundle by module. Lines, not sources, because a
 * dependency's own source map (composed by esbuild) names sources no metafile
 * input has.
 */
function runtimeLines(code: string, input: AttachInput): [number, number][] {
  const reachable = reachableInputs(input)
  const inputs = new Set(Object.keys(input.metafile.inputs))
  const ranges: [number, number][] = []
  let from: number | undefined = 0
  const lines = code.split('\n')
  lines.forEach((text, line) => {
    if (!text.startsWith('// ') || !inputs.has(text.slice(3))) return
    const isRuntime = !reachable.has(resolve(input.workingDir, text.slice(3)))
    if (isRuntime && from === undefined) from = line
    if (!isRuntime && from !== undefined) {
      ranges.push([from, line])
      from = undefined
    }
  })
  if (from !== undefined) ranges.push([from, lines.length])
  return ranges
}

/** Absolute paths of the inputs the user's module imports, directly or not (itself included). */
function reachableInputs(input: AttachInput): Set<string> {
  const byPath = new Map(Object.entries(input.metafile.inputs).map(([key, value]) => [resolve(input.workingDir, key), value]))
  const slim = resolve(input.slimRuntime)
  const seen = new Set<string>()
  const pending = [resolve(input.entry)]
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path) || path === slim) continue
    const file = byPath.get(path)
    if (!file) continue
    seen.add(path)
    for (const imported of file.imports) if (!imported.external) pending.push(resolve(input.workingDir, imported.path))
  }
  return seen
}

/**
 * The map without the runtime's lines, its sources renamed by `rename` (and
 * only those still used), with the runtime's line ranges as
 * `x_cloudfnRuntimeLines`. `undefined` when no user code is mapped.
 */
export function compactMap(
  map: { sources: string[]; mappings: string },
  runtime: readonly [number, number][],
  rename: (source: string) => string,
): CompactSourceMap | undefined {
  const sources: string[] = []
  const index = new Map<number, number>()
  const isRuntime = (line: number) => runtime.some(([from, to]) => line >= from && line < to)
  const lines = decodeMappings(map.mappings).map((segments, line): Segment[] => {
    if (isRuntime(line)) return []
    return segments.map((segment): Segment => {
      // A renamed identifier (`x` printed as `x2`) carries a fifth field, its name: names are not kept.
      if (segment.length === 1) return segment
      let kept = index.get(segment[1])
      if (kept === undefined) {
        kept = sources.push(rename(map.sources[segment[1]] ?? '')) - 1
        index.set(segment[1], kept)
      }
      return [segment[0], kept, segment[2], segment[3]]
    })
  })
  if (sources.length === 0) return undefined
  return {
    version: 3,
    sources,
    names: [],
    mappings: encodeMappings(lines),
    x_cloudfnRuntimeLines: runtime.map(([from, to]) => [from, to]),
  }
}

/** Encodes segments per line (absolute values) as a v3 `mappings` string. */
export function encodeMappings(lines: readonly Segment[][]): string {
  // Trailing unmapped lines (the runtime's, at the end of the bundle) need no `;` each.
  let end = lines.length
  while (end > 0 && lines[end - 1]?.length === 0) end--
  return encode(lines.slice(0, end))
}

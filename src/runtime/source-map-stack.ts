/**
 * Runs inside deployed artifacts: rewrites a handler error's stack from the
 * bundle (`/var/task/index.mjs:812:11`, `/tmp/cloudfn-unpacked-*\/index.mjs`, ...)
 * to the user's sources relative to their project (`src/orders.ts:12:9`), so
 * the stack a caller gets is the same on every backend.
 *
 * The packager appends a compact source map to the bundle as a last comment
 * line (see src/package/bundle-source-map.ts). It maps only the code reachable
 * from the user's module and lists the lines of cloudfn's runtime and the
 * cloud's adapter (`x_cloudfnRuntimeLines`): below the handler's frames, the
 * stack is cut at the first of those, since what lies beneath differs per cloud
 * and is not the user's.
 *
 * Node's own support is not used: the clouds start Node with their own flags
 * (no `--enable-source-maps`), `process.setSourceMapsEnabled` would have to run
 * before the bundle loads (the shim is inside it), and `module.SourceMap`
 * resolves a position past a line's last segment, or on an unmapped line, to an
 * earlier line (Node 22), which would blame a wrong user line.
 */
import { readFileSync } from 'node:fs'
import { sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Starts the bundle's last line; the rest of that line is the map's JSON. Not `sourceMappingURL`, so Node never maps it twice. */
export const SOURCE_MAP_MARK = '//# cloudfnSourceMap='

export interface CompactSourceMap {
  version: 3
  /** Paths relative to the project root, `/`-separated. */
  sources: string[]
  names: string[]
  mappings: string
  /** Generated lines (0-based, `[from, to)`) holding cloudfn's runtime and the cloud's adapter, not the user's code. */
  x_cloudfnRuntimeLines: [number, number][]
}

/** A decoded segment: generated column, then source index, line and column (all 0-based), or only the column when unmapped. */
export type Segment = readonly [number] | readonly [number, number, number, number]

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Decodes a v3 `mappings` string into segments per generated line, with absolute values. */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = []
  let source = 0
  let line = 0
  let column = 0
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = []
    let generated = 0
    for (const text of lineText.split(',')) {
      if (text === '') continue
      const values = decodeVlq(text)
      generated += values[0] ?? 0
      if (values.length < 4) {
        segments.push([generated])
        continue
      }
      source += values[1] ?? 0
      line += values[2] ?? 0
      column += values[3] ?? 0
      segments.push([generated, source, line, column])
    }
    lines.push(segments)
  }
  return lines
}

function decodeVlq(text: string): number[] {
  const values: number[] = []
  let value = 0
  let shift = 0
  for (const char of text) {
    const digit = BASE64.indexOf(char)
    if (digit < 0) throw new Error(`invalid base64 VLQ character '${char}'`)
    value += (digit & 31) * 2 ** shift
    if (digit & 32) {
      shift += 5
      continue
    }
    values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2))
    value = 0
    shift = 0
  }
  return values
}

/** The original position of a 0-based generated position, only from segments on that same line. */
export function originalPosition(
  lines: readonly (readonly Segment[])[],
  line: number,
  column: number,
): { source: number; line: number; column: number } | undefined {
  const segments = lines[line]
  if (!segments) return undefined
  let found: Segment | undefined
  for (const segment of segments) {
    if (segment[0] > column) break
    found = segment
  }
  if (found?.length !== 4) return undefined
  return { source: found[1], line: found[2], column: found[3] }
}

interface LoadedMap {
  /** How the bundle's own frames name it: its file URL and its path. */
  locations: string[]
  sources: string[]
  lines: Segment[][]
  runtimeLines: [number, number][]
}

let loaded: LoadedMap | null | undefined

/** Reads the map from this module's own file, once; `null` when there is none (not bundled, or bundled without a map). */
function loadMap(): LoadedMap | null {
  if (loaded !== undefined) return loaded
  loaded = null
  try {
    const url = import.meta.url
    if (!url.startsWith('file:')) return loaded
    const path = fileURLToPath(url)
    const text = readFileSync(path, 'utf8')
    // A newline before the mark: this module's own source holds the mark only inside a string literal.
    const at = text.lastIndexOf(`\n${SOURCE_MAP_MARK}`)
    if (at < 0) return loaded
    const end = text.indexOf('\n', at + 1)
    const map = JSON.parse(text.slice(at + 1 + SOURCE_MAP_MARK.length, end < 0 ? undefined : end)) as CompactSourceMap
    loaded = {
      locations: [url, path],
      sources: map.sources,
      lines: decodeMappings(map.mappings),
      runtimeLines: map.x_cloudfnRuntimeLines,
    }
  } catch {
    // A stack is only ever improved here: any failure leaves it as V8 wrote it.
    loaded = null
  }
  return loaded
}

const FRAME = /^\s+at /
/** The microtask and timer plumbing between a runtime and an async handler differs by host (worker, process): not the user's. */
const NODE_INTERNAL = /\(node:internal\/[^)]*\)$|at node:internal\//

export interface StackContext {
  /** URL of the module that calls the handler (`runDefinition`): outside a bundle, its frames and all below are the platform's. */
  runtimeFile: string
  /** Without a bundle (the local fake's inline mode): the project root that frames are named relative to. */
  projectRoot?: string | undefined
}

/** A frame as the user should see it; `runtime` when it is cloudfn's or the platform's code. */
type Rewrite = (text: string) => { text: string; user: boolean } | 'runtime'

/**
 * The stack with each frame of the user's code named by its original source
 * position relative to the project, cut at the first runtime frame below them.
 * Frames above the user's (an error thrown by the runtime itself) stay as V8
 * wrote them. Unchanged outside a bundle with a map when no project root is given.
 */
export function mapStack(stack: string, context: StackContext): string {
  const map = loadMap()
  const rewrite = map ? bundleRewrite(map) : inlineRewrite(context)
  if (!rewrite) return stack
  const out: string[] = []
  let userFrames = 0
  for (const text of stack.split('\n')) {
    if (!FRAME.test(text)) {
      out.push(text)
      continue
    }
    const frame = rewrite(text)
    if (frame !== 'runtime') {
      out.push(frame.text)
      if (frame.user) userFrames++
      continue
    }
    if (userFrames === 0) {
      out.push(text)
      continue
    }
    while (NODE_INTERNAL.test(out[out.length - 1] ?? '')) out.pop()
    break
  }
  return userFrames === 0 ? stack : out.join('\n')
}

/** Outside a bundle: frames under the project root named relative to it; the runtime's own module marks the cut. */
function inlineRewrite(context: StackContext): Rewrite | undefined {
  const root = context.projectRoot
  if (root === undefined) return undefined
  const runtime = [context.runtimeFile, ...(context.runtimeFile.startsWith('file:') ? [fileURLToPath(context.runtimeFile)] : [])]
  const prefixes = [`${pathToFileURL(root).href}/`, `${root}${sep}`]
  return (text) => {
    if (runtime.some((file) => text.includes(`${file}:`))) return 'runtime'
    for (const prefix of prefixes) {
      const at = text.indexOf(prefix)
      if (at >= 0)
        return {
          text:
            text.slice(0, at) +
            text
              .slice(at + prefix.length)
              .split(sep)
              .join('/'),
          user: true,
        }
    }
    return { text, user: false }
  }
}

/** In a bundle: frames of the bundle mapped to their sources; lines of the runtime mark the cut. */
function bundleRewrite(map: LoadedMap): Rewrite {
  return (text) => {
    for (const location of map.locations) {
      const at = text.lastIndexOf(`${location}:`)
      if (at < 0) continue
      const position = /^:(\d+):(\d+)/.exec(text.slice(at + location.length))
      if (!position) continue
      // V8 counts lines and columns from 1, source maps from 0.
      const line = Number(position[1]) - 1
      if (map.runtimeLines.some(([from, to]) => line >= from && line < to)) return 'runtime'
      const original = originalPosition(map.lines, line, Number(position[2]) - 1)
      const source = original && map.sources[original.source]
      // Code esbuild wrote itself (module wrappers) has no source: left as it is.
      if (!original || source === undefined) return { text, user: false }
      const replaced = `${source}:${original.line + 1}:${original.column + 1}`
      return { text: text.slice(0, at) + replaced + text.slice(at + position[0].length + location.length), user: true }
    }
    return { text, user: false }
  }
}

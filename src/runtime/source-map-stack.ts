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
 *
 * Kept small (it ships in every artifact, issue #19): the unbundled case (the
 * local fake's inline mode) lives in project-stack.ts.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decode } from '@jridgewell/sourcemap-codec'

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
export type Segment = [number] | [number, number, number, number]

/** Decodes a v3 `mappings` string into segments per generated line, with absolute values (no names are kept). */
export function decodeMappings(mappings: string): Segment[][] {
  return decode(mappings) as Segment[][]
}

/** The original position of a 0-based generated position, only from segments on that same line. */
export function originalPosition(
  lines: readonly (readonly Segment[])[],
  line: number,
  column: number,
): { source: number; line: number; column: number } | undefined {
  let found: Segment | undefined
  for (const segment of lines[line] ?? []) {
    if (segment[0] > column) break
    found = segment
  }
  if (found === undefined || found.length === 1) return undefined
  return { source: found[1], line: found[2], column: found[3] }
}

/** A frame as the user should see it (`user` when it is theirs), or `runtime` when it is cloudfn's or the platform's. */
export type FrameRewrite = (text: string) => { text: string; user: boolean } | 'runtime'

const FRAME = /^\s+at /
const NODE_INTERNAL = /\(node:internal\/[^)]*\)$|at node:internal\//

/**
 * The stack with each frame rewritten, cut at the first runtime frame below
 * the user's, and without Node's own frames right below the user's (the
 * microtask queue, timers: they differ by host and Node version). Frames above
 * the user's (an error thrown by the runtime itself) stay; a stack with no user
 * frame is returned as V8 wrote it.
 */
export function rewriteStack(stack: string, rewrite: FrameRewrite): string {
  const out: string[] = []
  let userFrames = 0
  for (const text of stack.split('\n')) {
    const frame = FRAME.test(text) ? rewrite(text) : { text, user: false }
    if (frame !== 'runtime') {
      out.push(frame.text)
      if (frame.user) userFrames++
    } else if (userFrames === 0) {
      out.push(text)
    } else {
      break
    }
  }
  while (userFrames > 0 && NODE_INTERNAL.test(out[out.length - 1] ?? '')) out.pop()
  return userFrames === 0 ? stack : out.join('\n')
}

let loaded: FrameRewrite | null | undefined

/** The stack mapped through the bundle's map; `undefined` outside a bundle with one. */
export function bundleStack(stack: string): string | undefined {
  loaded ??= loadMap()
  return loaded ? rewriteStack(stack, loaded) : undefined
}

/** Reads the map from this module's own file, once; `null` when there is none (not bundled, or bundled without a map). */
function loadMap(): FrameRewrite | null {
  try {
    const url = import.meta.url
    const path = fileURLToPath(url)
    const text = readFileSync(path, 'utf8')
    // A newline before the mark: this module's own source holds the mark only inside a string literal.
    const at = text.lastIndexOf(`\n${SOURCE_MAP_MARK}`)
    if (at < 0) return null
    const map = JSON.parse(text.slice(at + 1 + SOURCE_MAP_MARK.length).split('\n')[0] ?? '') as CompactSourceMap
    const lines = decodeMappings(map.mappings)
    const runtime = map.x_cloudfnRuntimeLines
    return (text) => {
      // V8 names the bundle by URL (ESM) or path, then `:line:column`, counted from 1 (source maps count from 0).
      for (const file of [url, path]) {
        const at = text.lastIndexOf(`${file}:`)
        const position = at < 0 ? null : /^(\d+):(\d+)/.exec(text.slice(at + file.length + 1))
        if (!position) continue
        const line = Number(position[1]) - 1
        if (runtime.some(([from, to]) => line >= from && line < to)) return 'runtime'
        const original = originalPosition(lines, line, Number(position[2]) - 1)
        const source = original && map.sources[original.source]
        // Code esbuild wrote itself (module wrappers) has no source: left as it is.
        if (!original || source === undefined) break
        const named = `${source}:${original.line + 1}:${original.column + 1}`
        return { text: text.slice(0, at) + named + text.slice(at + file.length + 1 + position[0].length), user: true }
      }
      return { text, user: false }
    }
  } catch {
    // A stack is only ever improved here: any failure leaves it as V8 wrote it.
    return null
  }
}

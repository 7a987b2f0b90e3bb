import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { decode } from '@jridgewell/sourcemap-codec'
import type { Loader } from 'esbuild'

/** A statement at the top level of a module that runs when the module loads. */
export interface TopLevelStatement {
  /** 1-based line in the source file. */
  line: number
  /** The source line the statement starts on (one entry per line). */
  text: string
}

const LOADERS: Record<string, Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' }

/**
 * Top-level code is normal in a function's module: initialisation such as
 * `Sentry.init()`, `dotenv.config()`, `app.use(...)`, `await client.connect()`
 * runs once per instance, on every cold start, exactly as on the clouds. Two
 * things are an app rather than initialisation, and only they are refused: a
 * server started at the top level (`app.listen(3000)`, also inside a
 * declaration: a function never listens, its platform serves it), unless a
 * condition guards it (`if (import.meta.main) app.listen(3000)`), and a
 * `for await` loop, an app's main loop over a stream.
 */
const LISTENS = /\.listen\(/
const GUARDED_OR_IMPORT = /^(?:import\b|export\s*\{|if\b)/
const FOR_AWAIT = /^for\s+await\b/

/**
 * The statements at the top level of `file` that run an app (see LISTENS
 * above): in a function's module they would start it again on every cold
 * start, as the artifact bundles the whole module.
 *
 * esbuild (already used to bundle) parses the module, TypeScript included, and
 * prints every top-level statement from column 0 with a source-map segment
 * there; continuation lines are indented, and template literals (whose text
 * could start a line) are printed as string concatenation.
 */
export async function topLevelCode(file: string): Promise<TopLevelStatement[]> {
  return (await topLevelStatements(file)).filter((statement) => !statement.allowed)
}

/** The first top-level statement of `file` that awaits (on its first line), if any. */
export async function firstTopLevelAwait(file: string): Promise<TopLevelStatement | undefined> {
  const found = (await topLevelStatements(file)).find((statement) => /\bawait\b/.test(statement.printed))
  return found && { line: found.line, text: found.text }
}

interface Statement extends TopLevelStatement {
  /** The first line as esbuild prints it. */
  printed: string
  allowed: boolean
}

async function topLevelStatements(file: string): Promise<Statement[]> {
  const source = await readFile(file, 'utf8')
  const { transform } = await import('esbuild')
  let result: Awaited<ReturnType<typeof transform>>
  try {
    result = await transform(source, {
      loader: LOADERS[extname(file)] ?? 'js',
      format: 'esm',
      target: 'esnext',
      sourcemap: 'external',
      // Printed as string concatenation: a multi-line template literal would put its text at column 0.
      supported: { 'template-literal': false },
      sourcefile: file,
      legalComments: 'none',
      logLevel: 'silent',
    })
  } catch {
    // A module esbuild cannot parse fails the bundling step with esbuild's own message.
    return []
  }
  const sourceLines = source.split('\n')
  const segments = mappingSegments((JSON.parse(result.map) as { mappings: string }).mappings)
  const found: Statement[] = []
  for (const [index, text] of result.code.split('\n').entries()) {
    const onLine = segments.get(index)
    if (onLine?.[0]?.column !== 0 || /^\s/.test(text)) continue
    // `(async () => ...)()` maps its parenthesis to the end of the previous statement; its first word is where it starts.
    const word = Math.max(0, text.search(/[\w$"'`]/))
    const line = onLine.filter((segment) => segment.column <= word).at(-1)?.sourceLine ?? (onLine[0]?.sourceLine as number)
    // The line as the user wrote it (esbuild reprints: 3000 becomes 3e3, quotes change).
    const written = (sourceLines[line] ?? text).trim()
    const allowed = !(FOR_AWAIT.test(text) || (LISTENS.test(text) && !GUARDED_OR_IMPORT.test(text)))
    const previous = found.at(-1)
    if (previous?.line === line + 1) {
      previous.allowed &&= allowed
      previous.printed += ` ${text}`
      continue
    }
    found.push({ line: line + 1, text: written.length > 80 ? `${written.slice(0, 77)}...` : written, printed: text, allowed })
  }
  return found
}

/**
 * For each generated line (0-based), its mapped segments in column order:
 * generated column and 0-based source line.
 */
export function mappingSegments(mappings: string): Map<number, { column: number; sourceLine: number }[]> {
  const lines = new Map<number, { column: number; sourceLine: number }[]>()
  for (const [generatedLine, segments] of decode(mappings).entries()) {
    const mapped = segments.flatMap((segment) =>
      segment.length >= 4 ? [{ column: segment[0], sourceLine: segment[2] as number }] : [],
    )
    if (mapped.length > 0) lines.set(generatedLine, mapped)
  }
  return lines
}

import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix, relative, sep } from 'node:path'

/** A read of a file next to a source file, by a path written as string literals. */
export interface FileRead {
  /** 1-based line of the expression in its source file. */
  line: number
  /** The path as the code builds it, `/`-separated, relative to the source file's folder. */
  path: string
  /** False when the literals are only a prefix (`join(here, 'data', name)`): `path` is then a folder. */
  complete: boolean
  /** The expression as written, on one line. */
  text: string
}

// The folder of the current module, as ESM and CommonJS code spell it.
const HERE = String.raw`__dirname|import\.meta\.dirname|(?:path\.)?dirname\(\s*(?:url\.)?fileURLToPath\(\s*import\.meta\.url\s*\)\s*\)`
// A string literal without escapes (paths rarely have any); no capture groups, to nest in the patterns below.
const LITERAL = String.raw`(?:'[^'\\\n]*'|"[^"\\\n]*")`
const LITERALS = /'([^'\\\n]*)'|"([^"\\\n]*)"/g
const literalText = (literal: RegExpMatchArray) => literal[1] ?? literal[2] ?? ''

/** Names given to the module's folder: `const here = dirname(fileURLToPath(import.meta.url))`. */
function folderAliases(source: string): string[] {
  const alias = new RegExp(String.raw`(?:const|let|var)\s+([\w$]+)\s*(?::\s*string\s*)?=\s*(?:${HERE})\s*[;\n]`, 'g')
  return [...source.matchAll(alias)].map((match) => (match[1] as string).replace(/\$/g, '\\$'))
}

/**
 * Reads of files next to the module in `source`, where the path is written
 * as string literals: `join(__dirname, 'data/config.json')`, `path.resolve(import.meta.dirname, 'x')`,
 * `new URL('./data.json', import.meta.url)`, `` `${__dirname}/x` ``, `__dirname + '/x'`. A light
 * scan, not a parser: it finds the obvious cases and never guesses a path
 * that is computed.
 */
export function literalFileReads(source: string): FileRead[] {
  const here = [HERE, ...folderAliases(source)].join('|')
  const patterns: { regex: RegExp; path: (match: RegExpMatchArray) => { path: string; complete: boolean } }[] = [
    {
      // join(here, 'a', 'b.json') or resolve(here, 'a/b.json'), possibly followed by a computed part.
      regex: new RegExp(String.raw`\b(?:path\.)?(?:join|resolve)\(\s*(?:${here})\s*,\s*((?:${LITERAL}\s*,?\s*)+)(\)?)`, 'g'),
      path: (match) => ({
        path: posix.join(...[...(match[1] as string).matchAll(LITERALS)].map(literalText)),
        complete: match[2] === ')',
      }),
    },
    {
      regex: new RegExp(String.raw`\bnew\s+URL\(\s*(${LITERAL})\s*,\s*import\.meta\.url\s*\)`, 'g'),
      path: (match) => ({ path: posix.normalize((match[1] as string).slice(1, -1)), complete: true }),
    },
    {
      // __dirname + '/data.json', or a prefix: __dirname + '/data/' + name
      regex: new RegExp(String.raw`(?<![\w$.])(?:${here})\s*\+\s*(${LITERAL})(\s*\+)?`, 'g'),
      path: (match) => {
        const written = (match[1] as string).slice(1, -1)
        return { path: posix.normalize(written.replace(/^\//, '')), complete: written.startsWith('/') && match[2] === undefined }
      },
    },
    {
      regex: new RegExp(String.raw`\x60\$\{\s*(?:${here})\s*\}/([^\x60$\n]+)(\x60?)`, 'g'),
      path: (match) => ({ path: posix.normalize(match[1] as string), complete: match[2] === '`' }),
    },
  ]
  const reads: FileRead[] = []
  for (const { regex, path } of patterns) {
    for (const match of source.matchAll(regex)) {
      const index = match.index ?? 0
      const lineStart = source.lastIndexOf('\n', index) + 1
      const before = source.slice(lineStart, index).trimStart()
      // Commented out: not code.
      if (before.startsWith('//') || before.startsWith('*') || before.startsWith('/*')) continue
      const found = path(match)
      found.path = found.path.replace(/\/+$/, '')
      if (found.path === '' || found.path === '.') continue
      reads.push({
        line: source.slice(0, index).split('\n').length,
        ...found,
        text: match[0].replace(/\s+/g, ' '),
      })
    }
  }
  return reads.sort((a, b) => a.line - b.line)
}

const ONLY_PARENTS = /^(?:\.\.?(?:\/|$))+$/

/** A read that works in the source tree and would fail with ENOENT once deployed. */
export interface MissingRead extends FileRead {
  /** The source file holding the read. */
  file: string
  /** The file or folder the read finds on this machine. */
  local: string
  /** What to do about it. */
  fix: string
}

/**
 * The literal reads in the bundle's own source files (not packages) of files
 * that exist next to the source but are not in the artifact. In the artifact
 * the module's folder is the bundle's folder, which stands for the entry
 * module's folder: `include` ships files at the same path relative to it.
 * Only reads the bundle kept are reported (their path literal is in `code`):
 * a helper's unused function may read what it likes.
 */
export function missingFileReads(options: {
  inputs: readonly string[]
  entry: string
  /** Names of the files in the artifact, `/`-separated. */
  shipped: readonly string[]
  /** The bundled code. */
  code: string
  /** Folders whose sources are cloudfn's own (its runtime and shims). */
  ownFolders: readonly string[]
}): MissingRead[] {
  const entryFolder = dirname(options.entry)
  const missing: MissingRead[] = []
  for (const file of options.inputs) {
    if (file.split(sep).includes('node_modules') || options.ownFolders.some((folder) => file.startsWith(folder + sep))) continue
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    const seen = new Set<string>()
    for (const read of literalFileReads(source)) {
      // `resolve(__dirname, '..')` names a folder above to build other paths from, not a file to read; a `.env`
      // file is read by dotenv where it exists, and its secrets belong in `env`, never in the artifact.
      if (ONLY_PARENTS.test(read.path) || posix.basename(read.path).startsWith('.env')) continue
      // `existsSync(p) ? readFileSync(p) : ...` spells one read twice on a line.
      if (seen.has(`${read.line}:${read.path}`)) continue
      seen.add(`${read.line}:${read.path}`)
      const local = join(dirname(file), read.path)
      if (!existsSync(local)) continue
      if (!options.code.includes(posix.basename(read.path))) continue
      if (options.shipped.some((name) => name === read.path || name.startsWith(`${read.path}/`))) continue
      const glob = (path: string) => (read.complete && statSync(local).isFile() ? path : `${path}/**`)
      const fromEntry = relative(entryFolder, local).split(sep).join('/')
      let fix: string
      if (read.path.startsWith('../')) {
        fix = `include ships only files below the entry module's folder (${entryFolder}): move ${local} below it`
      } else if (dirname(file) === entryFolder) {
        fix = `add include: ['${glob(read.path)}'] to the definition`
      } else {
        fix =
          `in the deployed bundle the module's folder is the entry module's folder (${entryFolder}), so this reads ${join(entryFolder, read.path)}, ` +
          `not ${local}: read it from the entry module (join(import.meta.dirname, '${fromEntry}') there) and add include: ['${glob(fromEntry)}']`
      }
      missing.push({ ...read, file, local, fix })
    }
  }
  return missing
}

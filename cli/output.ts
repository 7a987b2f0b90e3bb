/** Prints for people on a terminal, plain lines otherwise, and JSON for scripts with `--json`. */
export interface Output {
  readonly json: boolean
  readonly tty: boolean
  /** The command's result: JSON with `--json`, else the human rendering. */
  result(data: unknown, human: () => string): void
  /** A step of a long operation (shown live on a terminal, as a line otherwise, not at all with --json). */
  step(text: string): void
  /** Ends a live step display. */
  done(): void
}

export function createOutput(options: { json: boolean; stream?: NodeJS.WriteStream }): Output {
  const stream = options.stream ?? process.stdout
  const tty = Boolean(stream.isTTY) && !options.json
  let live = false
  return {
    json: options.json,
    tty,
    result(data, human) {
      this.done()
      stream.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`)
    },
    step(text) {
      if (options.json) return
      if (tty) {
        stream.write(`\r\x1b[2K${text}`)
        live = true
      } else stream.write(`${text}\n`)
    },
    done() {
      if (live) stream.write('\n')
      live = false
    },
  }
}

/** Renders rows as an aligned text table. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

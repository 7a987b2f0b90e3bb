#!/usr/bin/env node
import { stripVTControlCharacters } from 'node:util'
import { defineCommand, renderUsage, runCommand, type showUsage } from 'citty'
import { manifests } from '../providers/registry.ts'
import { CloudfnError } from '../src/errors/cloudfn-error.ts'
import { conformance, examples as conformanceExamples } from './commands/conformance.ts'
import { deploy, examples as deployExamples } from './commands/deploy.ts'
import { fidelity, examples as fidelityExamples } from './commands/fidelity.ts'
import { gc, examples as gcExamples } from './commands/gc.ts'
import { invoke, examples as invokeExamples } from './commands/invoke.ts'
import { logs, examples as logsExamples } from './commands/logs.ts'
import { ls, examples as lsExamples } from './commands/ls.ts'
import { rm, examples as rmExamples } from './commands/rm.ts'
import { send, examples as sendExamples } from './commands/send.ts'
import { EXIT, exitCodeFor, UsageError } from './exit-codes.ts'

const main = defineCommand({
  meta: {
    name: 'cloudfn',
    // From the manifests (providers/<name>/manifest.ts), so a new provider needs no edit here.
    description: `Deploy and invoke functions on ${manifests.map((manifest) => `${manifest.description.split(';')[0]} (--provider ${manifest.name})`).join(', ')}.`,
  },
  subCommands: { deploy, invoke, send, ls, logs, rm, gc, conformance, fidelity },
})

const EXAMPLES: Record<string, readonly string[]> = {
  deploy: deployExamples,
  invoke: invokeExamples,
  send: sendExamples,
  ls: lsExamples,
  logs: logsExamples,
  rm: rmExamples,
  gc: gcExamples,
  conformance: conformanceExamples,
  fidelity: fidelityExamples,
}

async function help(name: string | undefined): Promise<void> {
  const sub = name ? (main.subCommands as Record<string, Parameters<typeof showUsage>[0]>)[name] : undefined
  // citty colours help unless NO_COLOR/TEST/CI is set, even into a pipe or a file: plain text there.
  const usage = await renderUsage(sub ?? main, sub ? main : undefined)
  console.log(process.stdout.isTTY ? usage : stripVTControlCharacters(usage))
  const examples = name ? (EXAMPLES[name] ?? []) : Object.values(EXAMPLES).map((list) => list[0] ?? '')
  console.log(`Examples:\n${examples.map((line) => `  ${line}`).join('\n')}\n`)
}

function describe(error: unknown): string {
  if (CloudfnError.isInstance(error)) {
    const remote = error as CloudfnError & { remoteStack?: string }
    return `${error.name}: ${error.message}${remote.remoteStack ? `\n\n${remote.remoteStack}` : ''}`
  }
  return error instanceof Error ? error.message : String(error)
}

/** `--json` as a flag (`--json`, `--json=true`); `conformance --json <file>` writes a file instead. */
function wantsJson(rawArgs: readonly string[]): boolean {
  if (rawArgs[0] === 'conformance' || rawArgs[0] === 'fidelity') return false
  return rawArgs.some((arg) => arg === '--json' || arg === '--json=true')
}

/** The error as data: a cloudfn error's own (already scrubbed) fields, else its name and message. */
function errorJson(error: unknown, usage: boolean): Record<string, unknown> {
  if (CloudfnError.isInstance(error)) return error.toJSON()
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) }
  return { name, code: usage ? 'Usage' : 'Unexpected', message }
}

async function run(rawArgs: string[]): Promise<number> {
  if (rawArgs.length === 0 || rawArgs[0] === '--help' || rawArgs[0] === '-h') {
    await help(undefined)
    return rawArgs.length === 0 ? EXIT.usage : EXIT.ok
  }
  const [name] = rawArgs
  const sub = main.subCommands as Record<string, Parameters<typeof showUsage>[0]>
  if (name && !name.startsWith('-') && !(name in sub)) {
    console.error(`cloudfn: unknown command '${name}' (commands: ${Object.keys(sub).join(', ')})`)
    return EXIT.usage
  }
  if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
    await help(name)
    return EXIT.ok
  }
  try {
    await runCommand(main, { rawArgs })
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code === 'EARG'
    const exitCode = usage ? EXIT.usage : exitCodeFor(error)
    console.error(`cloudfn: ${describe(error)}`)
    if (usage) console.error(`Run 'cloudfn ${name} --help' for usage.`)
    // Scripts reading stdout get an answer on failure too.
    if (wantsJson(rawArgs)) console.log(JSON.stringify({ error: errorJson(error, usage), exitCode }, null, 2))
    return exitCode
  }
}

process.exitCode = await run(process.argv.slice(2))

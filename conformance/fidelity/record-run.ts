/**
 * `--record <dir>` for a conformance run: one transcript per scenario, written
 * to `<dir>/<target>/<scenario>.json`. Recording is only meaningful against a
 * real cloud (an emulator's answers are what the transcripts test), so it is
 * gated on the target being a real one that can run here (credentials present).
 */
import { join } from 'node:path'
import type { ConformanceTarget } from '../scenario.ts'
import { fidelityOf } from './provider.ts'
import type { Recorder } from './recorder.ts'
import { SecretLeakError } from './scrub.ts'

export interface RunRecording {
  /** Call after the target's setup: its traffic (role checks, ...) belongs to no scenario and is dropped. */
  started(): Promise<void>
  /** Writes the scenario's transcript; returns the file, or why nothing was written (a leak the check caught). */
  scenarioDone(scenario: string, outcome: string): Promise<{ file: string } | { refused: string }>
  stop(): void
}

/** Why `target` is not recorded, or undefined when it will be. */
export function notRecordable(target: ConformanceTarget): string | undefined {
  if (!target.realCloud) return 'not a real cloud (recordings are of real clouds; replay them with cloudfn fidelity)'
  return target.unavailable?.()
}

/** Starts recording (the interceptor is loaded only now: a run without --record never loads it). */
export async function recordRun(target: ConformanceTarget, provider: string, dir: string): Promise<RunRecording> {
  const { credentialSecrets, startRecorder, writeTranscript } = await import('./recorder.ts')
  // The provider's own status headers (an async-operation URL) are kept too.
  const fidelity = await fidelityOf(provider)
  const recorder: Recorder = startRecorder({ secrets: credentialSecrets(), responseHeaders: fidelity?.responseHeaders ?? [] })
  return {
    async started() {
      await recorder.take()
    },
    async scenarioDone(scenario, outcome) {
      const file = join(dir, target.name, `${scenario}.json`)
      const transcript = await recorder.transcript({
        provider,
        scenario,
        source: { note: `cloudfn conformance --record, target ${target.name}, scenario ${outcome}` },
      })
      try {
        await writeTranscript(file, transcript, recorder.secrets)
        return { file }
      } catch (error) {
        if (error instanceof SecretLeakError) return { refused: error.message }
        throw error
      }
    },
    stop: () => recorder.stop(),
  }
}

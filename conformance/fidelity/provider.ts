/**
 * What the fidelity loop (record and replay, docs/FIDELITY.md) needs from a
 * provider, given by its manifest's `fidelity()` (providers/manifest.ts) from
 * its own folder: nothing here names a cloud. The core looks a transcript's
 * provider up in the registry.
 */
import type { RequestHandler } from 'msw'
import type { Normaliser } from './normalise.ts'
import type { RecordedResponse, Transcript } from './transcript.ts'

/** The emulator one transcript is replayed against: a fresh one, used through its msw handlers only. */
export interface ReplayTarget {
  handlers: readonly RequestHandler[]
  /** Placeholder → the emulator's value, e.g. `<account-id>` → `123456789012`. */
  placeholders: Readonly<Record<string, string>>
  /**
   * Moves the emulator's time forward, for an emulator whose state delays run on a manual clock:
   * the replayer calls it before each repeat of a poll run instead of waiting, so what a recording
   * saw Pending is Pending on replay however slow the machine, and a poll run ends after as many
   * polls on any machine. Absent: the emulator runs on the wall clock and the replayer waits.
   */
  advance?(ms: number): Promise<void>
  close(): Promise<void>
}

export interface ProviderFidelity {
  /** A fresh emulator for `transcript` (its region or project read from the transcript where it matters). */
  replayTarget(transcript: Transcript): Promise<ReplayTarget>
  /** Fields of successful answers the provider reads, compared where the recording holds them (dot paths). */
  readonly fields: readonly string[]
  /** The error code of an error answer, where this cloud puts it. */
  errorCode(response: RecordedResponse): string | undefined
  /** The error message of an error answer, where this cloud puts it. */
  errorMessage(response: RecordedResponse): string | undefined
  /** Values that legitimately differ between this cloud and its emulator, added to the default normalisers. */
  readonly normalisers?: readonly Normaliser[]
  /**
   * Response headers the provider acts on beyond the common ones (scrub.ts RESPONSE_HEADERS): kept
   * when recording, and bound to the emulator's value on replay like `location` (an async-operation URL).
   */
  readonly responseHeaders?: readonly string[]
}

/** The fidelity parts of `provider`, or undefined for a provider without them (or unknown). */
export async function fidelityOf(provider: string): Promise<ProviderFidelity | undefined> {
  const { manifests } = await import('../../providers/registry.ts')
  return manifests.find((manifest) => manifest.name === provider)?.fidelity?.()
}

/**
 * The emulator a transcript is replayed against: a fresh one per transcript,
 * built through each provider's public `create*Emulator()` and used through
 * its msw handlers only. `placeholders` are the values the scrubber's
 * placeholders stand for in this emulator (the account id in its ARNs, ...).
 */
import type { RequestHandler } from 'msw'
import type { Transcript } from './transcript.ts'

export interface ReplayTarget {
  handlers: readonly RequestHandler[]
  /** Placeholder → the emulator's value, e.g. `<account-id>` → `123456789012`. */
  placeholders: Readonly<Record<string, string>>
  close(): Promise<void>
}

/** Lambda's region from the first `lambda.<region>.amazonaws.com` (or any `<service>.<region>.amazonaws.com`) host. */
function awsRegion(transcript: Transcript): string {
  for (const { request } of transcript.exchanges) {
    const match = /^[a-z0-9-]+\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(request.host)
    if (match?.[1]) return match[1]
  }
  return 'us-east-1'
}

/** A provider's emulator for replaying, or undefined for a provider without one here. */
export async function replayTargetFor(transcript: Transcript): Promise<ReplayTarget | undefined> {
  switch (transcript.provider) {
    case 'aws': {
      const { createAwsEmulator } = await import('../../providers/aws/emulator/index.ts')
      // Realistic state delays (AWS: about a second Pending): a recorded Pending answer right after a
      // create stays Pending on replay even on a slow machine; polls wait for Active.
      const emulator = createAwsEmulator({
        region: awsRegion(transcript),
        stateDelayMs: 1000,
        updateDelayMs: 1000,
        roleDelayMs: 0,
      })
      emulator.listen()
      return {
        handlers: emulator.handlers,
        placeholders: { '<account-id>': emulator.state.options.accountId },
        close: () => emulator.close(),
      }
    }
    case 'gcp': {
      const { createGcpEmulator } = await import('../../providers/gcp/emulator/index.ts')
      const emulator = createGcpEmulator()
      emulator.listen()
      return { handlers: emulator.handlers, placeholders: { '<project-id>': 'fidelity-project' }, close: () => emulator.close() }
    }
    case 'azure': {
      const { createAzureEmulator } = await import('../../providers/azure/emulator/index.ts')
      const emulator = createAzureEmulator()
      emulator.listen()
      const fake = '00000000-0000-0000-0000-000000000000'
      return {
        handlers: emulator.handlers,
        placeholders: { '<subscription-id>': fake, '<tenant-id>': fake },
        close: () => emulator.close(),
      }
    }
    default:
      return undefined
  }
}

import { PayloadTooLargeError } from '../errors/payload-too-large.ts'
import { bytesOverLimit } from '../payload.ts'

/**
 * Refuses, before anything is sent, a message over a queue's or topic's size
 * limit, naming both sizes and the usual way out (`send`, `publish`).
 */
export function assertMessageFits(
  provider: string,
  json: string,
  limitBytes: number,
  where: 'queues' | 'topics',
  verb: 'Send' | 'Publish',
): void {
  const bytes = bytesOverLimit(json, limitBytes)
  if (bytes === undefined) return
  throw new PayloadTooLargeError({
    provider,
    direction: 'request',
    bytes,
    limitBytes,
    message: `message is ${bytes} bytes encoded; ${provider} ${where} accept at most ${limitBytes}. ${verb} a reference (a URL or object key) instead of the data.`,
  })
}

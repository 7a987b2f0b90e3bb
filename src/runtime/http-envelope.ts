import type { Envelope } from './envelope.ts'
import { errorResponseWire, type WireResponse } from './http-wire.ts'

/**
 * The HTTP response for an HTTP function's envelope: the handler's own, or
 * a bare 500 when it threw (its error goes to the function's log, never to
 * the caller), the same on every backend.
 */
export function httpResultOf(envelopeText: string, log: (message: string) => void): WireResponse {
  const envelope = JSON.parse(envelopeText) as Envelope
  if (envelope.ok) return envelope.value as WireResponse
  log(envelope.error.stack ?? `${envelope.error.name}: ${envelope.error.message}`)
  return errorResponseWire(500, 'Internal Server Error')
}

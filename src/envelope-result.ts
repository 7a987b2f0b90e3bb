import { FunctionError } from './errors/function-error.ts'
import { PayloadTooLargeError } from './errors/payload-too-large.ts'
import { ProviderError } from './errors/provider-error.ts'
import { bytesOverLimit } from './payload.ts'
import type { Envelope, InvocationMeta } from './runtime/envelope.ts'

/** Turns the shim's envelope text into the value, or throws the matching error. */
export function readEnvelope(
  text: string,
  context: { provider: string; functionName: string; maxResponseBytes: number },
  /** Told the meta of every execution that answered, failed ones too (they are billed as well). */
  onMeta?: (meta: InvocationMeta) => void,
): { value: unknown; meta: InvocationMeta } {
  const bytes = bytesOverLimit(text, context.maxResponseBytes)
  if (bytes !== undefined) {
    throw new PayloadTooLargeError({
      provider: context.provider,
      direction: 'response',
      bytes,
      limitBytes: context.maxResponseBytes,
      message: `The response of '${context.functionName}' is ${bytes} bytes; ${context.provider} allows at most ${context.maxResponseBytes}. Return less data, or store it elsewhere and return a reference.`,
    })
  }
  let envelope: Envelope
  try {
    envelope = JSON.parse(text) as Envelope
  } catch (cause) {
    throw malformed(context, cause)
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.meta !== 'object') throw malformed(context)
  if (envelope.ok) return { value: envelope.value, meta: envelope.meta }
  onMeta?.(envelope.meta)
  throw new FunctionError({
    provider: context.provider,
    functionName: context.functionName,
    remoteName: envelope.error?.name ?? 'Error',
    remoteMessage: envelope.error?.message ?? '',
    remoteStack: envelope.error?.stack,
    executionId: envelope.meta.executionId,
  })
}

function malformed(context: { provider: string; functionName: string }, cause?: unknown): ProviderError {
  return new ProviderError({
    provider: context.provider,
    isRetryable: false,
    message: `'${context.functionName}' answered with something other than a cloudfn envelope; was it deployed by cloudfn?`,
    cause,
  })
}

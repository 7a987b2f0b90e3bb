import { CloudfnError } from './errors/cloudfn-error.ts'
import { ProviderError } from './errors/provider-error.ts'

/** Anything a provider lets escape that is not already a cloudfn error becomes a `ProviderError`. */
export function normalizeError(error: unknown, provider: string, operation: string): CloudfnError {
  if (CloudfnError.isInstance(error)) return error
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new ProviderError({ provider, message: `${provider} ${operation} failed: ${detail}`, cause: error })
}

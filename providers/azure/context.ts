import type { Invoker } from './invoke.ts'
import type { Scope } from './names.ts'
import type { AzureSdk } from './sdk.ts'
import type { CheckedSettings } from './settings.ts'

/** What the provider's operations share. */
export interface AzureContext {
  settings: CheckedSettings
  scope: Scope
  sdk: AzureSdk
  invoker: Invoker
}

/** Options for the SDKs' long-running operations: cloudfn's poll interval and the caller's signal. */
export function lroOptions(context: AzureContext, signal: AbortSignal | undefined) {
  return { updateIntervalInMs: context.settings.pollIntervalMs, abortSignal: signal }
}

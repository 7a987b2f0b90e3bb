import { fastPolls } from '../../src/poll-pace.ts'
import { abortableSleep } from '../../src/retry.ts'
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

/** What this provider uses of core-lro v3's PollerLike (the ARM SDKs' long-running operations). */
export interface LroPoller<T> {
  readonly isDone: boolean
  poll(options?: { abortSignal?: AbortSignal | undefined }): Promise<unknown>
  pollUntilDone(options?: { abortSignal?: AbortSignal | undefined }): Promise<T>
}

/**
 * `poller.pollUntilDone()` after a few quick first polls (src/poll-pace.ts).
 * core-lro waits a fixed `updateIntervalInMs` (or the service's non-zero
 * Retry-After) between polls, so an operation the emulator ends at once still
 * cost one full interval; after the quick polls core-lro's own pace, which
 * honours Retry-After, takes over.
 */
export async function untilDone<T>(poller: LroPoller<T>, context: AzureContext, signal: AbortSignal | undefined): Promise<T> {
  for (const wait of fastPolls(context.settings.pollIntervalMs)) {
    await poller.poll({ abortSignal: signal })
    if (poller.isDone) break
    await abortableSleep(wait, signal)
  }
  return poller.pollUntilDone({ abortSignal: signal })
}

/**
 * Values shared by the provider, the shim that runs in the cloud and the
 * emulator. Dependency-free: the shim bundles this module into artifacts.
 */

/**
 * The function each cloudfn app registers and whose key calls it: the
 * envelope endpoint at `/api/cloudfn`, or for an HTTP-triggered function the
 * user's own endpoint at every path of the app.
 */
export const FUNCTION_NAME = 'cloudfn'

/** Route of the envelope endpoint; host.json empties the `api` route prefix so HTTP functions can own `/`. */
export const ENVELOPE_ROUTE = `api/${FUNCTION_NAME}`

/** Catch-all route of an HTTP-triggered function: with an empty prefix it answers at the app's root and below. */
export const HTTP_ROUTE = '{*path}'

/** Names of the timer and queue functions registered beside the envelope endpoint. */
export const TIMER_FUNCTION = `${FUNCTION_NAME}-timer`
export const QUEUE_FUNCTION = `${FUNCTION_NAME}-queue`
/** The Event Grid trigger function of a topic subscriber, which its event subscription delivers to. */
export const TOPIC_FUNCTION = `${FUNCTION_NAME}-topic`
/** The Event Grid trigger function of a storage() subscriber, which its system topic's event subscription delivers to. */
export const STORAGE_FUNCTION = `${FUNCTION_NAME}-storage`

/**
 * host.json's extension bundle. Without it the host registers only HTTP and
 * timer bindings and puts a queue-triggered function in error. The range is
 * the active major as Microsoft Learn's "extension bundles" page gives it
 * (`[4.*, 5.0.0)` reads as `[4.0.0, 5.0.0)`: the newest 4.x).
 */
export const EXTENSION_BUNDLE = { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' } as const

/** Every function an app registers for a trigger: the envelope endpoint, plus the timer, queue, topic or storage function. */
export function functionsFor(trigger: { kind: string } | undefined): string[] {
  if (trigger?.kind === 'schedule') return [FUNCTION_NAME, TIMER_FUNCTION]
  if (trigger?.kind === 'queue') return [FUNCTION_NAME, QUEUE_FUNCTION]
  if (trigger?.kind === 'topic') return [FUNCTION_NAME, TOPIC_FUNCTION]
  if (trigger?.kind === 'storage') return [FUNCTION_NAME, STORAGE_FUNCTION]
  return [FUNCTION_NAME]
}

/** App settings that override host.json's queue options (`extensions.queues`) per app. */
export const QUEUE_SETTINGS = {
  maxDequeueCount: 'AzureFunctionsJobHost__extensions__queues__maxDequeueCount',
  batchSize: 'AzureFunctionsJobHost__extensions__queues__batchSize',
} as const

/** App setting naming the queue the queue function reads (`%...%` in its binding); AZURE* names are not user env. */
export const QUEUE_NAME_SETTING = 'AZURE_CLOUDFN_QUEUE'

/**
 * App setting holding the cloudfn function's name, which the shim reports as `ctx.functionName`: the app's
 * name is derived from it (names.ts) and cannot be turned back. An AZURE* name, so not user env (record.ts).
 */
export const FUNCTION_NAME_SETTING = 'AZURE_CLOUDFN_FUNCTION_NAME'

/**
 * App setting that overrides host.json's `functionTimeout` per app, so each
 * function gets its own timeout although host.json is the same in every artifact.
 */
export const TIMEOUT_SETTING = 'AzureFunctionsJobHost__functionTimeout'

/** App setting holding the storage connection string (host storage and deployment container). */
export const STORAGE_SETTING = 'AzureWebJobsStorage'

/** Flex Consumption's default function timeout, used when the setting is absent. */
export const DEFAULT_FUNCTION_TIMEOUT_SEC = 1800

/** `hh:mm:ss` as host.json and the app setting expect it. */
export function formatTimeSpan(seconds: number): string {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`
}

/** Parses `[d.]hh:mm:ss`; undefined when the text is not a time span. */
export function parseTimeSpan(text: string | undefined): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text?.trim() ?? '')
  if (!match) return undefined
  const [, days, hours, minutes, seconds] = match
  return Number(days ?? 0) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)
}

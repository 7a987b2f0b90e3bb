/**
 * Values shared by the provider, the shim that runs in the cloud and the
 * emulator. Dependency-free: the shim bundles this module into artifacts.
 */

/** The one HTTP function each cloudfn app registers; also its route (`/api/cloudfn`). */
export const FUNCTION_NAME = 'cloudfn'

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

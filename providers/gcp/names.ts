/** Resource names of the Cloud Functions v2 API. */
export interface Location {
  project: string
  region: string
}

export function locationName(location: Location): string {
  return `projects/${location.project}/locations/${location.region}`
}

export function functionResourceName(location: Location, name: string): string {
  return `${locationName(location)}/functions/${name}`
}

/** The short name (function ID) of `projects/P/locations/L/functions/ID`. */
export function shortName(resourceName: string | null | undefined): string {
  return (resourceName ?? '').split('/').pop() ?? ''
}

/**
 * Function IDs the Cloud Functions v2 API accepts: 4 to 63 characters,
 * lower-case letters, digits and hyphens, starting with a letter and not
 * ending with a hyphen. cloudfn's portable names (1 to 40) are refused below 4
 * on GCP rather than mapped, so a function has the same name everywhere.
 */
export const FUNCTION_ID_PATTERN = /^[a-z][-a-z0-9]{2,61}[a-z0-9]$/
export const MIN_FUNCTION_ID_LENGTH = 4

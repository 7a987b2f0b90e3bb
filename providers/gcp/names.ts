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

/** Function IDs the API accepts; cloudfn's portable names are a subset. */
export const FUNCTION_ID_PATTERN = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/

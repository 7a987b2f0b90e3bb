/**
 * What the function host reads from host.json before it indexes an app, and
 * which of the app's functions it can then load.
 *
 * References:
 * - Extension bundles (https://learn.microsoft.com/azure/azure-functions/extension-bundles):
 *   without `extensionBundle` a non-.NET app gets only the host's built-in
 *   bindings; the version is a NuGet interval (`[4.*, 5.0.0)` reads as
 *   `[4.0.0, 5.0.0)`), and a range no published bundle matches stops the host
 *   ("Bundle version matching the range ... was not found").
 * - Azure/azure-functions-host: `CoreExtensionsScriptBindingProvider` registers
 *   `timerTrigger`, the web host registers `http`/`httpTrigger`; for any other
 *   type `FunctionDescriptorProvider.CreateBindingError` puts the function in
 *   error with the messages below, and a function in error is not indexed
 *   (not listed, never triggered).
 * - A timer whose schedule NCrontab refuses is in error too (ncrontab.ts).
 */
import { parseNcrontab } from './ncrontab.ts'
import type { FunctionRegistration } from './protocol.ts'

export const BUNDLE_ID = 'Microsoft.Azure.Functions.ExtensionBundle'

/** Binding types the host registers without any extension. */
const BUILT_IN_BINDINGS = new Set(['http', 'httptrigger', 'timertrigger'])

/** Bundle majors Microsoft has published (1.x–3.x deprecated, 4.x active), as [from, to) version triples. */
const PUBLISHED_BUNDLES: ReadonlyArray<readonly [Version, Version]> = [
  [
    [1, 0, 0],
    [5, 0, 0],
  ],
]

type Version = readonly [number, number, number]

export interface HostConfig {
  /** `extensions.http.routePrefix` (default `api`), which every HTTP route sits under. */
  routePrefix: string
  /** The configured bundle, when host.json names one. */
  bundle: { id: string; version: string } | undefined
  /** Why the host cannot start with this host.json (every function is then in error). */
  hostError: string | undefined
}

function parseVersion(text: string): Version | undefined {
  const parts = text.trim().split('.')
  if (parts.length === 0 || parts.length > 3 || parts.some((part) => !/^(\d+|\*)$/.test(part))) return undefined
  const numbers = parts.map((part) => (part === '*' ? 0 : Number(part)))
  return [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0]
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** A NuGet version range: `1.0` (at least), `[1.0]` (exactly), `[a, b)`, `(a, b]`, `[a, )` ... */
function parseRange(text: string): ((version: Version) => boolean) | undefined {
  const trimmed = text.trim()
  const plain = parseVersion(trimmed)
  if (plain) return (version) => compare(version, plain) >= 0
  const match = /^([[(])\s*([^,\s]*)\s*(?:,\s*([^\s\])]*)\s*)?([\])])$/.exec(trimmed)
  if (!match) return undefined
  const [, open, lowText = '', highText, close] = match
  const low = lowText === '' ? undefined : parseVersion(lowText)
  const high = highText === undefined ? low : highText === '' ? undefined : parseVersion(highText)
  if ((lowText !== '' && !low) || (highText && !high)) return undefined
  return (version) =>
    (!low || (open === '[' ? compare(version, low) >= 0 : compare(version, low) > 0)) &&
    (!high || (close === ']' ? compare(version, high) <= 0 : compare(version, high) < 0))
}

/** Whether some published bundle version lies in the range (sampled at every minor of each published major). */
function bundleExists(accepts: (version: Version) => boolean): boolean {
  for (const [from, to] of PUBLISHED_BUNDLES) {
    for (let major = from[0]; major < to[0]; major++) {
      for (let minor = 0; minor <= 99; minor++) if (accepts([major, minor, 0])) return true
    }
  }
  return false
}

export function parseHostConfig(hostJson: Uint8Array): HostConfig {
  const parsed = JSON.parse(new TextDecoder().decode(hostJson)) as {
    extensions?: { http?: { routePrefix?: unknown } }
    extensionBundle?: { id?: unknown; version?: unknown }
  }
  const prefix = parsed.extensions?.http?.routePrefix
  const routePrefix = typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api'
  const declared = parsed.extensionBundle
  if (declared === undefined) return { routePrefix, bundle: undefined, hostError: undefined }
  const id = typeof declared.id === 'string' ? declared.id : ''
  const version = typeof declared.version === 'string' ? declared.version : ''
  const bundle = { id, version }
  if (id !== BUNDLE_ID && id !== `${BUNDLE_ID}.Preview`) {
    return { routePrefix, bundle, hostError: `The extension bundle '${id}' was not found.` }
  }
  const accepts = parseRange(version)
  if (!accepts || !bundleExists(accepts)) {
    return { routePrefix, bundle, hostError: `Bundle version matching the range ${version} was not found.` }
  }
  return { routePrefix, bundle, hostError: undefined }
}

/** The host's message for a function whose binding types no loaded extension registers. */
function bindingError(unresolved: string[], bundle: HostConfig['bundle']): string {
  const types = unresolved.join(', ')
  return bundle
    ? `The binding type(s) '${types}' were not found in the configured extension bundle. Please ensure the type is correct and the correct version of extension bundle is configured.`
    : `The binding type(s) '${types}' are not registered. Please ensure the type is correct and the binding extension is installed.`
}

/**
 * Binding types the bundle's extensions register that the emulator models: the storage extension's queue
 * bindings and the Event Grid extension's trigger (Microsoft.Azure.WebJobs.Extensions.EventGrid, in the bundle).
 */
const BUNDLE_BINDINGS = new Set(['queuetrigger', 'queue', 'eventgridtrigger'])

/**
 * Splits what the app registered into the functions the host indexes and
 * those it puts in error (by name, with the host's message).
 */
export function indexFunctions(
  config: HostConfig,
  registered: { functions: FunctionRegistration[]; bindingTypes: Record<string, string[]> },
): { functions: FunctionRegistration[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  for (const [name, types] of Object.entries(registered.bindingTypes)) {
    if (config.hostError) {
      errors[name] = config.hostError
      continue
    }
    const available = (type: string) =>
      BUILT_IN_BINDINGS.has(type.toLowerCase()) || (config.bundle !== undefined && BUNDLE_BINDINGS.has(type.toLowerCase()))
    const unresolved = [...new Set(types.filter((type) => !available(type)))]
    if (unresolved.length > 0) errors[name] = bindingError(unresolved, config.bundle)
  }
  for (const fn of registered.functions) {
    if (fn.kind !== 'timer' || fn.name in errors) continue
    try {
      parseNcrontab(fn.schedule)
    } catch {
      // The timer extension's message (TimerSchedule.Create) for a schedule NCrontab refuses.
      errors[fn.name] =
        `The schedule expression '${fn.schedule}' was not recognized as a valid cron expression or timespan string.`
    }
  }
  return { functions: registered.functions.filter((fn) => !(fn.name in errors)), errors }
}

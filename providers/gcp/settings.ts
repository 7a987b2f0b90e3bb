import type { AuthClient } from 'google-auth-library'
import type { CloudSettings } from '../../src/client.ts'
import { type PriceOverrides, withPriceOverrides } from '../../src/cost/override.ts'
import { expectKnownKeys, expectPlainObject, expectString, fail, integerOr } from '../../src/validation.ts'
import { GCP_CLOUD_RUN_PRICES, type GcpCloudRunPrices } from './pricing.ts'

/** Returns an ID token whose audience is `audience` (the function's URL). */
export type IdTokenProvider = (audience: string) => Promise<string>

export interface GcpSettings extends CloudSettings {
  project: string
  /** e.g. `europe-west1`. */
  region: string
  /**
   * Credentials for the Cloud Functions API. Defaults to Application Default
   * Credentials; tests pass an `OAuth2Client` with a fake access token.
   */
  authClient?: AuthClient
  /**
   * Source of ID tokens for invoking functions. Defaults to the auth client's
   * own `fetchIdToken` when it has one, else google-auth-library's
   * `getIdTokenClient(audience)` on Application Default Credentials.
   */
  idTokenProvider?: IdTokenProvider
  /** Delay between polls of a deploy operation, in ms (default 1000; reached after quicker first polls from 25 ms, src/poll-pace.ts, then growing to 10x). */
  pollIntervalMs?: number
  /** Your prices, over the Tier 1 list prices of `GCP_CLOUD_RUN_PRICES` (a Tier 2 region, a discount): `meta.cost` uses them. */
  pricing?: PriceOverrides<GcpCloudRunPrices>
}

export type ProviderSettings = Omit<GcpSettings, 'retry'>

const KEYS = ['project', 'region', 'authClient', 'idTokenProvider', 'pollIntervalMs', 'pricing']

export function checkSettings(
  settings: unknown,
): Required<Pick<GcpSettings, 'project' | 'region' | 'pollIntervalMs'>> & ProviderSettings & { prices: GcpCloudRunPrices } {
  const checked = expectPlainObject(settings, 'settings')
  expectKnownKeys(checked, KEYS, 'settings')
  const project = expectString(checked.project, 'settings.project')
  if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(project)) fail('settings.project', 'must be a project ID (6-30 of a-z 0-9 -)')
  const region = expectString(checked.region, 'settings.region')
  if (!/^[a-z]+-[a-z]+\d+$/.test(region)) fail('settings.region', 'must be a region such as europe-west1')
  if (checked.authClient !== undefined && typeof (checked.authClient as AuthClient).getRequestHeaders !== 'function')
    fail('settings.authClient', 'must be a google-auth-library AuthClient')
  if (checked.idTokenProvider !== undefined && typeof checked.idTokenProvider !== 'function')
    fail('settings.idTokenProvider', 'must be a function (audience) => Promise<string>')
  const pollIntervalMs = integerOr(checked.pollIntervalMs, 1000, 'settings.pollIntervalMs', 0, 60_000)
  const prices = withPriceOverrides(GCP_CLOUD_RUN_PRICES, checked.pricing, 'settings.pricing')
  return { ...(checked as unknown as ProviderSettings), project, region, pollIntervalMs, prices }
}

import type { TokenCredential } from '@azure/core-auth'
import type { CloudSettings } from '../../src/client.ts'
import { type PriceOverrides, withPriceOverrides } from '../../src/cost/override.ts'
import { expectKnownKeys, expectPlainObject, expectString, fail, integerOr } from '../../src/validation.ts'
import { AZURE_FLEX_PRICES, type AzureFlexPrices } from './pricing.ts'

export interface AzureSettings extends CloudSettings {
  /** Subscription that holds the resources. */
  subscriptionId: string
  /** Resource group for every resource cloudfn creates (created when missing). */
  resourceGroup: string
  /** Azure region with Flex Consumption, e.g. `westeurope`. */
  location: string
  /** Any `TokenCredential`; default `DefaultAzureCredential` from `@azure/identity`. */
  credential?: TokenCredential
  /** Pause between polls of long-running operations and deployments, in ms (default 2000), reached after quicker first polls from 25 ms (src/poll-pace.ts). */
  pollIntervalMs?: number
  /** How long a deploy waits for the host to list the new function, in ms (default 300 000). */
  readyTimeoutMs?: number
  /** Your prices, over the East US list prices of `AZURE_FLEX_PRICES` (another region, a discount): `meta.cost` uses them. */
  pricing?: PriceOverrides<AzureFlexPrices>
}

export type ProviderSettings = Omit<AzureSettings, 'retry'>

export interface CheckedSettings {
  subscriptionId: string
  resourceGroup: string
  location: string
  credential: TokenCredential | undefined
  pollIntervalMs: number
  readyTimeoutMs: number
  prices: AzureFlexPrices
}

const KEYS = ['subscriptionId', 'resourceGroup', 'location', 'credential', 'pollIntervalMs', 'readyTimeoutMs', 'pricing']

/** Checks the settings before anything is sent; errors name the field. */
export function checkSettings(value: unknown): CheckedSettings {
  const settings = expectPlainObject(value, 'settings')
  expectKnownKeys(settings, KEYS, 'settings')
  const subscriptionId = expectString(settings.subscriptionId, 'settings.subscriptionId')
  if (!/^[0-9a-fA-F-]{36}$/.test(subscriptionId)) fail('settings.subscriptionId', 'must be a subscription id (a GUID)')
  const resourceGroup = expectString(settings.resourceGroup, 'settings.resourceGroup')
  if (!/^[-\w.()]{1,90}$/.test(resourceGroup) || resourceGroup.endsWith('.')) {
    fail('settings.resourceGroup', 'must be 1–90 letters, digits, _ - . ( ), not ending with a period')
  }
  const location = expectString(settings.location, 'settings.location')
  if (!/^[a-z0-9]+$/.test(location)) fail('settings.location', 'must be a region name such as westeurope')
  const credential = settings.credential as TokenCredential | undefined
  if (credential !== undefined && typeof (credential as { getToken?: unknown }).getToken !== 'function') {
    fail('settings.credential', 'must be a TokenCredential (an object with getToken)')
  }
  return {
    subscriptionId,
    resourceGroup,
    location,
    credential,
    pollIntervalMs: integerOr(settings.pollIntervalMs, 2000, 'settings.pollIntervalMs', 0, 60_000),
    readyTimeoutMs: integerOr(settings.readyTimeoutMs, 300_000, 'settings.readyTimeoutMs', 0, 3_600_000),
    prices: withPriceOverrides(AZURE_FLEX_PRICES, settings.pricing, 'settings.pricing'),
  }
}

// Generated from providers/*/manifest.ts by `npm run providers` (scripts/sync-providers.ts): do not edit.

import awsManifest from './aws/manifest.ts'
import azureManifest from './azure/manifest.ts'
import gcpManifest from './gcp/manifest.ts'
import localManifest from './local/manifest.ts'
import type { ProviderManifest } from './manifest.ts'

/** Every provider, one per folder of providers/ with a manifest.ts. */
export const manifests: readonly ProviderManifest[] = [awsManifest, azureManifest, gcpManifest, localManifest]

// Generated from providers/*/manifest.ts by `npm run providers` (scripts/sync-providers.ts): do not edit.

/**
 * The providers' package subpaths (`cloudfn/<subpath>`) and their source
 * files, as in package.json "exports": plain data, so the build and test
 * configs need not load the manifests.
 */
export const providerSubpaths: Readonly<Record<string, string>> = {
  aws: 'providers/aws/index.ts',
  'aws/emulator': 'providers/aws/emulator/index.ts',
  azure: 'providers/azure/index.ts',
  'azure/emulator': 'providers/azure/emulator/index.ts',
  gcp: 'providers/gcp/index.ts',
  'gcp/emulator': 'providers/gcp/emulator/index.ts',
  local: 'providers/local/index.ts',
}

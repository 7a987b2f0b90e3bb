import { defineProviderManifest } from '../manifest.ts'
import type { AzureSettings } from './settings.ts'

/** Azure Functions (Flex Consumption), as the CLI, the build and the conformance suite know it (see providers/manifest.ts). */
export default defineProviderManifest<AzureSettings>({
  name: 'azure',
  description: 'Azure Functions (Flex Consumption)',
  flags: {
    subscription: { description: 'Azure subscription id', setting: 'subscriptionId', required: true },
    'resource-group': { description: 'Azure resource group', setting: 'resourceGroup', required: true },
    location: { description: 'Azure location, e.g. westeurope', setting: 'location', required: true },
  },
  exports: { '.': './index.ts', './emulator': './emulator/index.ts' },
  factory: async () => (await import('./index.ts')).azure,
  emulates: true,
  fidelity: async () => (await import('./conformance/fidelity.ts')).azureFidelity,
  conformance: {
    // The emulator (and msw) load only when asked for: a real-cloud command must not need them.
    emulated: async () => [(await import('./conformance/emulated-target.ts')).azureEmulatedTarget()],
    real: async () => [(await import('./conformance/real-target.ts')).azureTarget()],
  },
})

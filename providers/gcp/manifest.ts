import { defineProviderManifest } from '../manifest.ts'
import type { GcpSettings } from './settings.ts'

/** Google Cloud Functions (2nd gen), as the CLI, the build and the conformance suite know it (see providers/manifest.ts). */
export default defineProviderManifest<GcpSettings>({
  name: 'gcp',
  description: 'Google Cloud Functions (2nd gen)',
  flags: {
    project: { description: 'Google Cloud project id', setting: 'project', required: true },
    region: { description: 'Google Cloud region, e.g. europe-west1', setting: 'region', required: true },
  },
  exports: { '.': './index.ts', './emulator': './emulator/index.ts' },
  factory: async () => (await import('./index.ts')).gcp,
  emulates: true,
  fidelity: async () => (await import('./conformance/fidelity.ts')).gcpFidelity,
  conformance: {
    // The emulator (and msw) load only when asked for: a real-cloud command must not need them.
    emulated: async () => [(await import('./conformance/emulated-target.ts')).gcpEmulatedTarget()],
    real: async () => [(await import('./conformance/real-target.ts')).gcpTarget()],
  },
})

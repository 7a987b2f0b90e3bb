import { defineProviderManifest } from '../manifest.ts'
import type { AwsSettings } from './settings.ts'

/** AWS Lambda, as the CLI, the build and the conformance suite know it (see providers/manifest.ts). */
export default defineProviderManifest<AwsSettings>({
  name: 'aws',
  description: 'AWS Lambda',
  flags: { region: { description: 'AWS region, e.g. eu-west-1', setting: 'region', required: true } },
  exports: { '.': './index.ts', './emulator': './emulator/index.ts' },
  factory: async () => (await import('./index.ts')).aws,
  emulates: true,
  fidelity: async () => (await import('./conformance/fidelity.ts')).awsFidelity,
  conformance: {
    // The emulator (and msw) load only when asked for: a real-cloud command must not need them.
    emulated: async () => [(await import('./conformance/emulated-target.ts')).awsEmulatedTarget()],
    real: async () => [(await import('./conformance/real-target.ts')).awsTarget()],
  },
})

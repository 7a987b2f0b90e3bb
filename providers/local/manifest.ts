import { join } from 'node:path'
import { defineProviderManifest } from '../manifest.ts'
import type { LocalSettings } from './index.ts'

const targets = async () => {
  const { localTarget } = await import('./conformance/target.ts')
  return [localTarget('inline'), localTarget('worker')]
}

/** The local fake, as the CLI, the build and the conformance suite know it (see providers/manifest.ts). */
export default defineProviderManifest<LocalSettings>({
  name: 'local',
  description: 'the in-process fake; deployments persist under .cloudfn/local',
  default: true,
  flags: {},
  exports: { '.': './index.ts' },
  // The CLI's deployments outlive its process: worker isolation (inline handlers cannot be saved), kept on disk.
  defaults: ({ cwd }) => ({ isolation: 'worker', persistDir: join(cwd, '.cloudfn', 'local') }),
  factory: async () => (await import('./index.ts')).local,
  // The fake is in-process already: --emulate changes nothing, and its targets need no account either way.
  emulates: false,
  conformance: { emulated: targets, real: targets },
})

import { defineFunction } from 'cloudfn'

class ConfigMissing extends Error {
  override name = 'ConfigMissing'
}

// Fails while the module loads, as a missing configuration would in Lambda.
if (!process.env.REQUIRED_SETTING) throw new ConfigMissing('REQUIRED_SETTING is not set')

export const brokenInit = defineFunction({ name: 'broken-init', handler: () => 'never' })

import type { RequiredPackage } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'

/** The Google Cloud clients a deploy of `trigger` will load (see sdk.ts), so a missing one is refused up front. */
export function gcpPackages(
  trigger: Trigger | undefined,
  settings: { authClient?: unknown; idTokenProvider?: unknown },
): RequiredPackage[] {
  const needed: RequiredPackage[] = [{ name: '@google-cloud/functions', for: 'deploying to Cloud Functions' }]
  // Without both, credentials and ID tokens come from google-auth-library's default chain.
  if (!settings.authClient || !settings.idTokenProvider)
    needed.push({ name: 'google-auth-library', for: 'credentials and ID tokens' })
  if (trigger?.kind === 'schedule') needed.push({ name: '@google-cloud/scheduler', for: 'schedule() triggers' })
  return needed
}

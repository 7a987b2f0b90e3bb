import { defineFunction } from 'cloudfn'

/** Throws while the host loads the app, so the host cannot list it. */
export const brokenAtLoad = defineFunction({
  name: 'broken-at-load',
  handler: () => 1,
})
// Only in the function host (each app instance is a process): a deployed app has the storage setting, the test process not.
if (process.env.AzureWebJobsStorage) throw new Error('boom while loading')

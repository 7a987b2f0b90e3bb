import { defineFunction } from 'cloudfn'

/** Throws while the host loads the app, so the host cannot list it. */
export const brokenAtLoad = defineFunction({
  name: 'broken-at-load',
  handler: () => 1,
})
if (!(await import('node:worker_threads')).isMainThread) throw new Error('boom while loading')

import { type EmulatedTarget, emulatedTarget } from '../../../conformance/targets/emulated.ts'
import { createGcpEmulator } from '../emulator/index.ts'
import { gcpForeignQueues } from './foreign-queues.ts'
import { gcpObjects } from './objects.ts'

/**
 * The GCP provider and the real `@google-cloud/functions` client against the
 * msw model of Cloud Functions; the generic emulated target
 * (conformance/targets/emulated.ts) does the rest.
 */
export function gcpEmulatedTarget(): EmulatedTarget {
  return emulatedTarget({
    name: 'gcp-emulated',
    // Pub/Sub retries a failed push after milliseconds instead of its 10 s minimum backoff.
    emulator: (clock) => createGcpEmulator({ operationDelayMs: 10, clock, queueRetryDelayMs: 5 }),
    factory: async () => (await import('../index.ts')).gcp,
    foreignQueues: (emulator, settings) => gcpForeignQueues(emulator, settings.project),
    objects: (_emulator, settings) => gcpObjects(settings.project),
  })
}

import { type EmulatedTarget, emulatedTarget } from '../../../conformance/targets/emulated.ts'
import { type AwsEmulatorOptions, createAwsEmulator } from '../emulator/index.ts'
import { awsForeignQueues } from './foreign-queues.ts'
import { awsObjects } from './objects.ts'

/**
 * The AWS provider against the AWS emulator (msw at Lambda's real hostnames,
 * uploaded zips really run, each instance a child process); the generic
 * emulated target (conformance/targets/emulated.ts) does the rest.
 */
export function awsEmulatedTarget(options: AwsEmulatorOptions = {}): EmulatedTarget {
  return emulatedTarget({
    name: 'aws-emulated',
    // A queue's name is free again 20 ms after it is deleted, not 60 s, so remove-then-deploy scenarios stay quick.
    emulator: (clock) =>
      createAwsEmulator({
        stateDelayMs: 10,
        updateDelayMs: 10,
        queueRetryDelayMs: 5,
        queueDeletedWindowMs: 20,
        clock,
        ...options,
        region: options.region ?? 'eu-west-1',
      }),
    factory: async () => (await import('../index.ts')).aws,
    foreignQueues: (emulator, settings) => awsForeignQueues(emulator, settings.region ?? 'eu-west-1'),
    objects: (_emulator, settings) => awsObjects(settings.region ?? 'eu-west-1'),
  })
}

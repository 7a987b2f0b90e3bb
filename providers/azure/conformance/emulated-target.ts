import { type EmulatedTarget, emulatedTarget } from '../../../conformance/targets/emulated.ts'
import { createAzureEmulator } from '../emulator/index.ts'
import { azureForeignQueues } from './foreign-queues.ts'
import { azureObjects } from './objects.ts'

/**
 * The Azure provider against the Azure emulator, through the real ARM SDKs;
 * the generic emulated target (conformance/targets/emulated.ts) does the rest.
 * The probe reads the emulator's state: the apps it holds (by their cloudfn
 * tag), the executions its function hosts started, the requests it got and
 * the poison queues its queue listeners filled.
 */
export function azureEmulatedTarget(): EmulatedTarget {
  return emulatedTarget({
    name: 'azure-emulated',
    emulator: (clock) => createAzureEmulator({ clock, queueRetryDelayMs: 5 }),
    factory: async () => (await import('../index.ts')).azure,
    foreignQueues: (emulator, settings) => azureForeignQueues(emulator, settings.resourceGroup),
    objects: (emulator, settings) => azureObjects(emulator, settings),
  })
}

import type { EmulatorFaults } from '../../src/emulator/faults.ts'
import type { PlatformFaults } from '../scenario.ts'

/**
 * Any emulator's fault injection, as the failure-kinds scenarios need it: the
 * next synchronous invoke of the function is answered by the cloud's front end
 * with a 5xx or a dropped connection, before the function runs (each emulator
 * renders the 5xx as its cloud does).
 */
export function platformFaults(faults: Pick<EmulatorFaults<unknown>, 'injectInvoke'>): PlatformFaults {
  return {
    next(functionName, fault) {
      faults.injectInvoke(
        functionName,
        fault.kind === 'reset' ? { kind: 'reset' } : { kind: 'server-error', status: fault.status },
      )
    },
  }
}

import type { PlatformFaults } from '../../../conformance/scenario.ts'
import type { AwsEmulator } from '../emulator/index.ts'

/**
 * The AWS emulator's fault injection, as the failure-kinds scenarios need
 * it: the next synchronous invoke is answered by Lambda's Invoke API with a 5xx or a
 * dropped connection, before the function runs.
 */
export function awsPlatformFaults(emulator: AwsEmulator): PlatformFaults {
  return {
    next(functionName, fault) {
      if (fault.kind === 'reset') emulator.faults.inject({ operation: 'Invoke', functionName, kind: 'reset' })
      else emulator.faults.inject({ operation: 'Invoke', functionName, kind: 'server-error', status: fault.status })
    },
  }
}

import type { PlatformFaults } from '../../../conformance/scenario.ts'
import type { AzureEmulator } from '../emulator/index.ts'

/**
 * The Azure emulator's fault injection, as the failure-kinds scenarios need
 * it: the next synchronous invoke is answered by the Functions host's edge with a 5xx or a
 * dropped connection, before the function runs.
 */
export function azurePlatformFaults(emulator: AzureEmulator): PlatformFaults {
  return {
    next(_functionName, fault) {
      if (fault.kind === 'reset') emulator.faults.inject({ target: 'host', kind: 'reset' })
      else emulator.faults.inject({ target: 'host', kind: 'status', status: fault.status })
    },
  }
}

import type { PlatformFaults } from '../../../conformance/scenario.ts'
import type { GcpEmulator } from '../emulator/index.ts'

/**
 * The GCP emulator's fault injection, as the failure-kinds scenarios need
 * it: the next synchronous invoke is answered by Cloud Run's front end with a 5xx or a
 * dropped connection, before the function runs.
 */
export function gcpPlatformFaults(emulator: GcpEmulator): PlatformFaults {
  return {
    next(_functionName, fault) {
      if (fault.kind === 'reset') return emulator.faults.add({ on: 'invoke', kind: 'reset' })
      // Cloud Run's front end has two bodies for these: 500 "Internal Server Error" and 503 "Service Unavailable".
      if (fault.status !== 500 && fault.status !== 503) throw new Error('the GCP emulator injects a 500 or a 503')
      emulator.faults.add({ on: 'invoke', kind: fault.status === 500 ? 'internal' : 'unavailable' })
    },
  }
}

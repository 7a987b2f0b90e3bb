import type { AwsEmulator } from '../../providers/aws/emulator/index.ts'
import type { AzureEmulator } from '../../providers/azure/emulator/index.ts'
import type { GcpEmulator } from '../../providers/gcp/emulator/index.ts'
import type { PlatformFaults } from '../scenario.ts'

/**
 * Each emulator's fault injection, as the failure-kinds scenarios need it: the
 * next synchronous invoke is answered by the cloud's front end (Lambda's
 * Invoke API, Cloud Run's front end, the Functions host's edge) with a 5xx or
 * a dropped connection, before the function runs.
 */
export function awsPlatformFaults(emulator: AwsEmulator): PlatformFaults {
  return {
    next(functionName, fault) {
      if (fault.kind === 'reset') emulator.faults.inject({ operation: 'Invoke', functionName, kind: 'reset' })
      else emulator.faults.inject({ operation: 'Invoke', functionName, kind: 'server-error', status: fault.status })
    },
  }
}

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

export function azurePlatformFaults(emulator: AzureEmulator): PlatformFaults {
  return {
    next(_functionName, fault) {
      if (fault.kind === 'reset') emulator.faults.inject({ target: 'host', kind: 'reset' })
      else emulator.faults.inject({ target: 'host', kind: 'status', status: fault.status })
    },
  }
}

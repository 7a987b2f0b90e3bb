import { type Fault, FaultQueue } from '../../../src/emulator/faults.ts'

/**
 * Faults the emulator injects on demand, in the emulator kit's vocabulary
 * (src/emulator/faults.ts), so tests can prove each retry path:
 * `emulator.faults.inject({ on: 'Invoke', kind: 'throttle', times: 2 })`.
 * router.ts renders them as each AWS protocol does (429
 * TooManyRequestsException with Retry-After on Lambda, Throttling on IAM,
 * ...: see THROTTLE and SERVER_ERROR there).
 */

/** AWS's own faults, beside the kit's. */
export type AwsOwnFault =
  /** CreateFunction / UpdateFunctionConfiguration: the IAM role is not assumable yet. */
  | { kind: 'role-not-assumable' }
  /** 409 ResourceConflictException: an update is in progress. */
  | { kind: 'update-in-progress' }

/**
 * `on` is the API operation name (`Invoke`, `CreateFunction`, `GetFunction`,
 * `CreateRole`, `FilterLogEvents`, ...); `functionName` the function the
 * request names. `fail-after-run` applies to `Invoke` only.
 */
export type AwsFault = Fault<string, AwsOwnFault>

const THROTTLE: AwsFault = { kind: 'throttle', retryAfterSec: 0 }
const SERVER_ERROR: AwsFault = { kind: 'server-error', status: 503 }
const RESET: AwsFault = { kind: 'reset' }

/**
 * Faults the real service gives and cloudfn must survive: a sync `Invoke` is
 * only throttled (the one failure that proves the function did not run);
 * control-plane calls also get 5xx, resets and update conflicts.
 */
function survivable(operation: string): Readonly<Record<string, AwsFault>> {
  if (operation === 'Invoke') return { throttle: THROTTLE }
  const common = { throttle: THROTTLE, 'server-error 503': SERVER_ERROR, reset: RESET }
  return operation.startsWith('Update') ? { ...common, 'update-in-progress': { kind: 'update-in-progress' } } : common
}

export class AwsFaults extends FaultQueue<string, AwsFault> {
  constructor() {
    super({ invoke: 'Invoke', survivable })
  }
}

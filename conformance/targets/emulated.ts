import type { Cloud, CloudSettings } from '../../src/client.ts'
import type { Emulator } from '../../src/emulator/emulator.ts'
import { createManualClock, type ManualClock } from '../../src/triggers/clock.ts'
import { createInboxes } from '../inbox.ts'
import type { ConformanceTarget, ForeignQueues, ObjectStore, TargetSession } from '../scenario.ts'
import { platformFaults } from './platform-faults.ts'

export interface EmulatedTargetSpec<S, E extends Emulator<S> = Emulator<S>> {
  /** e.g. `aws-emulated`. */
  name: string
  /** Creates the cloud's emulator, its schedules running on `clock`, with delays short enough for a test run. */
  emulator(clock: ManualClock): E | Promise<E>
  /** The provider's factory (`aws`, `gcp`, ...): it gets the settings the emulator's `connect()` gives. */
  factory(): Promise<(settings: S & CloudSettings) => Cloud>
  /** Queues made outside the API under test, for the queue-ownership scenario (through the cloud's SDK or the emulator's state). */
  foreignQueues?(emulator: E, settings: S): ForeignQueues
  /** Object storage the storage scenarios write to, as a user would (through the cloud's SDK against the emulator). */
  objects?(emulator: E, settings: S): ObjectStore
}

/** An emulated target that also hands out the emulator behind each session (fault runs turn its faults on). */
export interface EmulatedTarget extends ConformanceTarget {
  setupEmulated(): Promise<TargetSession & { emulator: Emulator<unknown> }>
}

/**
 * The one emulated conformance target every cloud uses: a provider made by
 * its factory from the emulator's `connect()`, probed through the emulator's
 * `probe()` (its own state, not the API under test), with the emulator's
 * faults as the failure-kinds scenarios' platform faults.
 */
export function emulatedTarget<S, E extends Emulator<S>>(spec: EmulatedTargetSpec<S, E>): EmulatedTarget {
  const setupEmulated = async () => {
    // Schedules run on a clock the scenarios move; it starts off any 5-minute boundary.
    const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
    const emulator = await spec.emulator(clock)
    emulator.listen()
    const inboxes = createInboxes()
    const factory = await spec.factory()
    // Fast retries keep throttling scenarios quick; the policy itself is tested elsewhere.
    const settings = emulator.connect()
    const cloud = factory({ ...settings, retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } })
    return {
      emulator: emulator as Emulator<unknown>,
      cloud,
      probe: emulator.probe(),
      clock,
      inbox: inboxes.open,
      faults: platformFaults(emulator.faults),
      foreignQueues: spec.foreignQueues?.(emulator, settings),
      objects: spec.objects?.(emulator, settings),
      teardown: async () => {
        await emulator.close()
        inboxes.close()
      },
    }
  }
  return { name: spec.name, setup: setupEmulated, setupEmulated }
}

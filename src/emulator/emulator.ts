import type { RequestHandler } from 'msw'
import type { SetupServer } from 'msw/node'
import type { EmulatorFaults } from './faults.ts'

/** What every emulator's `state` offers beside its cloud's own model. */
export interface EmulatorState {
  /** Executions started (user code reached), by cloudfn function name; kept after the function is removed. */
  readonly executions: ReadonlyMap<string, number>
  /** Requests that reached the emulator, fault-injected ones included. */
  readonly requestCount: number
  /** Those of them that could change the emulated cloud: anything but a read, as the cloud's API tells them apart. */
  readonly writeCount: number
}

/**
 * Reads the emulator's state without going through the API under test: the
 * shape of the conformance suite's `Probe` (conformance/scenario.ts).
 */
export interface EmulatorProbe {
  exists(functionName: string): Promise<boolean>
  executions(functionName: string): Promise<number>
  requestCount(): Promise<number>
  /** Requests so far that could change the emulated cloud (anything but a read; when unsure, a write). */
  writeCount(): Promise<number>
  functionNames(): Promise<string[]>
  deadLetters(functionName: string): Promise<string[]>
  /** Topics the emulator holds (topic scenarios check what a remove leaves). */
  topicNames?(): Promise<string[]>
}

/**
 * The probe of an emulator whose state is an `EmulatorState`: executions and
 * request counts read from it, the cloud-specific reads from `reads`.
 */
export function stateProbe(
  state: EmulatorState,
  reads: Pick<EmulatorProbe, 'exists' | 'functionNames' | 'deadLetters' | 'topicNames'>,
): EmulatorProbe {
  return {
    executions: async (functionName) => state.executions.get(functionName) ?? 0,
    requestCount: async () => state.requestCount,
    writeCount: async () => state.writeCount,
    ...reads,
  }
}

/**
 * One emulated cloud, as every `create<Cloud>Emulator()` returns it: an msw
 * model at the cloud's real host names, so the unmodified official SDK is
 * what tests exercise. `S` is the provider's factory settings.
 */
export interface Emulator<
  S = object,
  State extends EmulatorState = EmulatorState,
  Faults extends EmulatorFaults<unknown> = EmulatorFaults<unknown>,
> {
  /** msw request handlers; pass them to your own `setupServer` to combine with other mocks. */
  readonly handlers: readonly RequestHandler[]
  /** What the emulated cloud holds and what really ran, for assertions. */
  readonly state: State
  /** Faults on demand, in the kit's vocabulary (src/emulator/faults.ts). */
  readonly faults: Faults
  /**
   * Bodies (the JSON sent) of the messages a queue-triggered function failed
   * for good: its dead-letter queue (SQS redrive target, Pub/Sub dead-letter
   * topic, Azure's poison queue). Empty when there is none.
   */
  deadLetters(functionName: string): string[]
  /** Reads the state as the conformance suite's probe. */
  probe(): EmulatorProbe
  /**
   * The provider's settings that talk to this emulator (fake credentials that
   * it accepts and that never look for real ones, short polls); `overrides` win.
   */
  connect(overrides?: Partial<S>): S
  /** Starts an msw server with these handlers; unhandled requests fail instead of reaching the network. */
  listen(): SetupServer
  /** Stops the server started by `listen`, the triggers and every function instance. */
  close(): Promise<void>
}

/**
 * `cloudfn/emulator-kit`: what a cloud emulator is made of, public so that a
 * provider outside this repository can ship an emulator that tests, the
 * conformance suite and fault runs drive as they drive the built-in ones
 * (`cloudfn/aws/emulator`, ...). An emulator is msw request handlers, so this
 * subpath needs msw (an optional peer dependency), as every emulator does;
 * `cloudfn/provider-utils` does not.
 */

/**
 * An msw server for an emulator's handlers (its `listen()`): a request no
 * handler owns fails instead of reaching the network, naming only its method and URL.
 */
export { emulatorServer } from '../sandbox/msw-server.ts'
/** The shape every emulator has (handlers, state, faults, probe, connect, listen, close), and its probe read from its state. */
export { type Emulator, type EmulatorProbe, type EmulatorState, stateProbe } from './emulator.ts'
/**
 * One fault vocabulary (`throttle`, `server-error`, `reset`, `slow`,
 * `fail-after-run`), the queue that hands faults to the requests they aim at,
 * and `answerFault`, which answers the kinds that look alike on every cloud.
 */
export {
  answerFault,
  type EmulatorFaults,
  type Fault,
  type FaultChooser,
  type FaultKind,
  FaultQueue,
  type FaultQueueSpec,
  type FaultRequest,
  type FaultScope,
  type RenderedFault,
  requestLine,
} from './faults.ts'

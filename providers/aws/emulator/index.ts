/**
 * An msw model of AWS Lambda (plus the IAM, CloudWatch Logs, SQS, SNS, S3 and
 * EventBridge Scheduler calls the provider makes, and function URLs) at the production hostnames, for tests that use the
 * unmodified AWS SDK with fake credentials:
 *
 * ```ts
 * const emulator = createAwsEmulator({ region: 'eu-west-1' })
 * emulator.listen()                      // or setupServer(...emulator.handlers)
 * const cloud = aws({ region: 'eu-west-1', credentials: FAKE_CREDENTIALS, pollIntervalMs: 5 })
 * ```
 *
 * It keeps state, goes Pending → Active and InProgress → Successful after
 * configurable delays, answers with Lambda's status codes, error names and
 * bodies, enforces Lambda's limits, and really runs uploaded zips in worker
 * threads with the Lambda handler contract, the timeout and the memory limit.
 * Schedules tick on `options.clock`; event source mappings poll SQS queues.
 */
import { http, type RequestHandler } from 'msw'
import { type Emulator, stateProbe } from '../../../src/emulator/emulator.ts'
import { emulatorServer } from '../../../src/sandbox/msw-server.ts'
import type { AwsSettings } from '../settings.ts'
import { asyncConfigHandlers } from './async-config.ts'
import { concurrencyHandlers } from './concurrency.ts'
import { eventSourceHandlers } from './event-sources.ts'
import { extraHandlers } from './extras.ts'
import { AwsFaults } from './faults.ts'
import { functionUrlHandlers } from './function-url.ts'
import { functionHandlers } from './functions.ts'
import { iamHandlers } from './iam.ts'
import { invokeHandlers } from './invoke.ts'
import { logsHandlers } from './logs.ts'
import { type AwsEmulatorOptions, resolveOptions } from './model.ts'
import { type EmulatorEnv, route } from './router.ts'
import { s3Handlers } from './s3.ts'
import { schedulerHandlers } from './scheduler.ts'
import { snsHandlers } from './sns.ts'
import { sqsHandlers } from './sqs.ts'
import { AwsEmulatorState } from './state.ts'
import { AwsFault } from './wire.ts'

export type { FaultChooser, FaultKind } from '../../../src/emulator/faults.ts'
export { type AwsFault, AwsFaults, type AwsOwnFault } from './faults.ts'
export type { AwsEmulatorOptions } from './model.ts'
export { AwsEmulatorState } from './state.ts'

/** Credentials for SDK clients that talk to the emulator; it checks that requests are signed, not by whom. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' } as const

/**
 * The emulator kit's `Emulator` (src/emulator/emulator.ts): `state` is the
 * emulated account (functions, executions, logs, request counts), `faults`
 * injects throttling, 5xx, resets, IAM propagation delays and update conflicts.
 */
export interface AwsEmulator extends Emulator<AwsSettings, AwsEmulatorState, AwsFaults> {
  readonly region: string
  /** Resolves once queued asynchronous invocations have run. */
  idle(): Promise<void>
}

export function createAwsEmulator(options: AwsEmulatorOptions = {}): AwsEmulator {
  const resolved = resolveOptions(options)
  const state = new AwsEmulatorState(resolved)
  const faults = new AwsFaults()
  const env: EmulatorEnv = { state, faults }
  const base = `https://lambda.${resolved.region}.amazonaws.com`
  const unknown = route(env, 'rest-json', 'Unknown', async ({ request }) => {
    throw new AwsFault(404, 'UnknownOperationException', `Unknown operation ${request.method} ${new URL(request.url).pathname}`)
  })
  const handlers: RequestHandler[] = [
    ...functionHandlers(env, base),
    ...invokeHandlers(env, base),
    ...concurrencyHandlers(env, base),
    ...extraHandlers(env, base),
    ...eventSourceHandlers(env, base),
    ...asyncConfigHandlers(env, base),
    ...functionUrlHandlers(env),
    ...schedulerHandlers(env),
    ...sqsHandlers(env),
    ...snsHandlers(env),
    ...s3Handlers(env),
    ...iamHandlers(env),
    ...logsHandlers(env, resolved.region),
    // Anything else on Lambda's host is an unknown operation, as Lambda answers it.
    http.all(`${base}/*`, unknown),
  ]
  const server = emulatorServer(handlers)

  return {
    handlers,
    state,
    faults,
    region: resolved.region,
    deadLetters: (functionName) => state.deadLetters(functionName) ?? [],
    probe: () =>
      stateProbe(state, {
        exists: async (name) => state.functions.has(name),
        functionNames: async () => [...state.functions.keys()],
        deadLetters: async (name) => state.deadLetters(name) ?? [],
        topicNames: async () => [...state.topics.values()].map((topic) => topic.name),
      }),
    // The emulator checks that requests are signed, not by whom.
    connect: (overrides) => ({ region: resolved.region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 5, ...overrides }),
    listen: server.listen,
    idle: () => state.idle(),
    async close() {
      state.closed = true
      for (const schedule of state.schedules.values()) schedule.stop()
      for (const mapping of state.mappings.values()) mapping.stop()
      server.close()
      const runtimes = [...state.functions.values()].flatMap((fn) => [fn.live.runtime, fn.next?.runtime])
      await Promise.all(runtimes.map((runtime) => runtime?.retire()))
    },
  }
}
export type { EmulatorTiming } from '../../../src/emulator-timing.ts'

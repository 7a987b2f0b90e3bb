import type { Cloud } from '../src/client.ts'
import type { ProviderCapabilities } from '../src/provider.ts'
import type { ManualClock } from '../src/triggers/clock.ts'
import type { Inbox } from './inbox.ts'

/**
 * Reads a backend's state without going through the API under test (the
 * local store, an emulator's state, or the cloud's own SDK), so scenarios
 * can prove side effects rather than trust the code that caused them.
 */
export interface Probe {
  /** Whether the backend holds a function of that name. */
  exists(name: string): Promise<boolean>
  /**
   * Executions the backend started for that function (0 when none), or
   * undefined where the backend cannot count them (scenarios then skip that
   * one check rather than trust the API under test).
   */
  executions(name: string): Promise<number | undefined>
  /** Requests that reached the backend so far; unchanged means nothing was sent. */
  requestCount(): Promise<number>
  /**
   * Requests so far that could change the backend (anything but a read, as
   * the backend itself tells them apart; when unsure, counted as a write),
   * or absent where it cannot tell. Unchanged means nothing was written.
   */
  writeCount?(): Promise<number>
  /** Names of every function the backend holds. */
  functionNames(): Promise<string[]>
  /**
   * Bodies of the messages in the dead-letter queue of a queue-triggered
   * function, or undefined where the backend cannot read it.
   */
  deadLetters?(functionName: string): Promise<string[] | undefined>
  /** Names of the topics the backend holds (see `topic()`), where it can list them. */
  topicNames?(): Promise<string[]>
}

/** A failure of the cloud itself, not of the function: a 5xx from its front end, or a dropped connection. */
export type PlatformFault = { kind: 'status'; status: number } | { kind: 'reset' }

/** Fault injection of an emulated cloud, for the failure-kinds scenarios. */
export interface PlatformFaults {
  /** The next synchronous invoke of `functionName` fails with `fault` before the function runs. */
  next(functionName: string, fault: PlatformFault): void
}

/**
 * The target's object storage, written as a user's code (or the cloud's own SDK) would, so
 * storage() scenarios can make objects change; read back for the bucket checks.
 */
export interface ObjectStore {
  /** Makes a bucket as a user would (cloudfn did not make it, so it must never delete it). */
  createBucket(bucket: string): Promise<void>
  /**
   * Writes an object; answers its etag as that cloud's storage reports it (the neutral etag is opaque: an
   * MD5 in hex on S3, Cloud Storage and the local fake, the blob's ETag on Azure), which the event must carry.
   */
  put(bucket: string, key: string, bytes: Uint8Array): Promise<{ etag: string }>
  delete(bucket: string, key: string): Promise<void>
  /** The buckets that exist. */
  bucketNames(): Promise<string[]>
}

/** A queue as the backend holds it, read out of band: its tags, labels or metadata, and the bodies of its messages. */
export interface HeldQueue {
  marker: Record<string, string>
  messages: string[]
}

/**
 * Queues made, read and deleted outside the API under test, as another tool
 * or person would (through the emulator's state, the cloud's SDK, or the
 * local fake's registry), for the queue-ownership scenario.
 */
export interface ForeignQueues {
  /** Makes queue `name` without cloudfn's marker, holding `messages`. */
  create(name: string, messages: readonly string[]): Promise<void>
  /** The queue as the backend holds it now; undefined when it does not exist. */
  read(name: string): Promise<HeldQueue | undefined>
  /** Deletes the queue, whoever made it. */
  delete(name: string): Promise<void>
  /** The dead-letter queue of `queue` where the cloud fixes its name (`namedDeadLetter: false`; Azure's `<queue>-poison`). */
  deadLetterOf?(queue: string): string
}

export interface TargetSession {
  cloud: Cloud
  probe: Probe
  /** The clock the backend's schedules run on, where the target can move it (not on real clouds). */
  clock?: ManualClock | undefined
  /**
   * Opens an inbox fixture handlers record their input in (see inbox.ts), on
   * targets whose handlers run on this machine (not on real clouds).
   */
  inbox?: (() => Inbox) | undefined
  /** The emulator's fault injection (emulated targets only: nothing in this process can fail a real cloud). */
  faults?: PlatformFaults | undefined
  /** True where handlers run in the caller's own process (the local fake's inline isolation): a crash would end the run. */
  handlersInProcess?: boolean | undefined
  /** Object storage, where the target has it (see `ObjectStore`). */
  objects?: ObjectStore | undefined
  /** Out-of-band queues, where the target can make them (see ForeignQueues). */
  foreignQueues?: ForeignQueues | undefined
  teardown(): Promise<void>
}

export interface ConformanceTarget {
  /** e.g. `local-inline`, `aws-emulated`, `aws`. */
  name: string
  /**
   * For targets that create billable resources in a real account: what a run
   * creates and what it costs, shown before the CLI asks for confirmation.
   */
  realCloud?: { creates: string; cost: string }
  /** Why the target cannot run here (e.g. no credentials); undefined when it can. */
  unavailable?(): string | undefined
  setup(): Promise<TargetSession>
}

export interface ScenarioContext {
  cloud: Cloud
  probe: Probe
  clock: ManualClock | undefined
  /** Opens an inbox (see inbox.ts); undefined where the target cannot read what handlers record. */
  inbox: (() => Inbox) | undefined
  /** Undefined where the target cannot inject a platform failure (the local fake has no platform; real clouds). */
  faults: PlatformFaults | undefined
  /** True where handlers run in the caller's own process (see TargetSession). */
  handlersInProcess: boolean
  /** Undefined where the target offers no object storage to write to. */
  objects?: ObjectStore | undefined
  /** Undefined where the target cannot make a queue outside the API under test. */
  foreignQueues: ForeignQueues | undefined
  capabilities: Readonly<ProviderCapabilities>
  /** A function name unique to this run and scenario; the runner checks nothing with it is left behind. */
  name(suffix: string): string
}

export interface Scenario {
  id: string
  title: string
  /** Reason the scenario cannot apply to these capabilities; it is then reported as not supported. */
  requires?(capabilities: Readonly<ProviderCapabilities>): string | undefined
  run(context: ScenarioContext): Promise<void>
}

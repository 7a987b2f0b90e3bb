import type { EmulatedMapping } from './event-sources.ts'
import type { EmulatedFunction, ResolvedOptions } from './model.ts'
import type { EmulatedBucket } from './s3-model.ts'
import type { EmulatedSchedule } from './scheduler.ts'
import { type EmulatedTopic, snsMessageOf } from './sns-model.ts'
import type { EmulatedQueue } from './sqs-model.ts'

export interface EmulatedRole {
  name: string
  arn: string
  roleId: string
  createDate: string
  assumeRolePolicyDocument: string
  description: string
  tags: Array<{ Key: string; Value: string }>
  attachedPolicies: Set<string>
  /** Inline policy documents by policy name (PutRolePolicy). */
  inlinePolicies: Map<string, string>
  /** Lambda refuses the role until then, as IAM propagation does. */
  assumableAt: number
}

export interface LogEvent {
  timestamp: number
  ingestionTime: number
  message: string
  logStreamName: string
  eventId: string
}

const MAX_EVENTS_PER_GROUP = 10_000
const ISO_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/

/**
 * Operations that only read, by AWS's naming (Lambda, IAM, SQS, Logs, Scheduler): the "Read" and "List" access
 * levels of the Service Authorization Reference name them Get*, List* and Describe* (S3's HeadBucket is s3:ListBucket)
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 */
const READ_OPERATION = /^(Get|List|Describe|Head|FilterLogEvents$)/

/**
 * Everything the emulated account holds, kept apart from the HTTP routes so
 * that tests (and the conformance probe) read side effects directly.
 */
export class AwsEmulatorState {
  readonly functions = new Map<string, EmulatedFunction>()
  readonly roles = new Map<string, EmulatedRole>()
  /** CloudWatch Logs events by log group name. */
  readonly logGroups = new Map<string, LogEvent[]>()
  /** EventBridge Scheduler schedules of the default group, by name. */
  readonly schedules = new Map<string, EmulatedSchedule>()
  /** SQS queues by name. */
  readonly queues = new Map<string, EmulatedQueue>()
  /** When each deleted SQS queue went, by name: its name cannot be reused for a while. */
  readonly deletedQueues = new Map<string, number>()
  /** SNS topics by ARN (sns.ts). */
  readonly topics = new Map<string, EmulatedTopic>()
  /** S3 buckets by name (s3.ts). */
  readonly buckets = new Map<string, EmulatedBucket>()
  /** Lambda event source mappings by UUID. */
  readonly mappings = new Map<string, EmulatedMapping>()
  /** Executions started, by function name: what ran, and how often. */
  readonly executions = new Map<string, number>()
  /** Requests that reached the emulator (Lambda, IAM and Logs). */
  requestCount = 0
  readonly requestsByOperation = new Map<string, number>()
  /** Requests whose operation is not a read (Get*, List*, Describe*, FilterLogEvents), as the AWS APIs name them. */
  writeCount = 0
  /** Asynchronous invocations still queued or running. */
  readonly pendingAsync = new Set<Promise<void>>()
  /** Set by the emulator's close(): queued asynchronous invocations are dropped, not run. */
  closed = false
  readonly options: ResolvedOptions
  #eventCounter = 0

  constructor(options: ResolvedOptions) {
    this.options = options
  }

  record(operation: string): void {
    this.requestCount++
    if (!READ_OPERATION.test(operation)) this.writeCount++
    this.requestsByOperation.set(operation, (this.requestsByOperation.get(operation) ?? 0) + 1)
  }

  countExecution(name: string): void {
    this.executions.set(name, (this.executions.get(name) ?? 0) + 1)
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`
  }

  queueByArn(arn: string): EmulatedQueue | undefined {
    return [...this.queues.values()].find((queue) => queue.arn === arn)
  }

  /**
   * Bodies in the dead-letter queue of the queue a function's mapping reads,
   * else the messages its on-failure destination holds (undefined when it has neither).
   */
  deadLetters(functionName: string): string[] | undefined {
    const mapping = [...this.mappings.values()].find((candidate) => candidate.functionName === functionName)
    const source = mapping ? this.queueByArn(mapping.sourceArn) : undefined
    const policy = source?.attributes.RedrivePolicy
    if (!policy) return this.#failureRecords(functionName)
    const target = this.queueByArn((JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '')
    return target?.messages.map((message) => message.body)
  }

  /**
   * A topic subscriber's dead letters: the SNS messages of the invocation
   * records its on-failure destination holds (async-config.ts).
   */
  #failureRecords(functionName: string): string[] | undefined {
    const queue = this.queueByArn(this.functions.get(functionName)?.eventInvokeConfig?.onFailure ?? '')
    return queue?.messages.map((message) => {
      const record = JSON.parse(message.body) as { requestPayload?: unknown }
      return snsMessageOf(record.requestPayload) ?? JSON.stringify(record.requestPayload)
    })
  }

  /** Lambda writes each line of an execution's log as one event of the function's log group. */
  appendLog(functionName: string, logStreamName: string, text: string): void {
    const group = `/aws/lambda/${functionName}`
    const events = this.logGroups.get(group) ?? []
    const now = Date.now()
    for (const line of text.split('\n')) {
      if (line === '') continue
      // Lines the shim or runtime wrote start with their own time; others get the time of arrival.
      const stamp = ISO_START.test(line) ? Date.parse(line.slice(0, 24)) : Number.NaN
      events.push({
        timestamp: Number.isNaN(stamp) ? now : stamp,
        ingestionTime: now,
        message: `${line}\n`,
        logStreamName,
        eventId: String(++this.#eventCounter).padStart(20, '0'),
      })
    }
    if (events.length > MAX_EVENTS_PER_GROUP) events.splice(0, events.length - MAX_EVENTS_PER_GROUP)
    this.logGroups.set(group, events)
  }

  /** Resolves once every queued asynchronous invocation has run. */
  async idle(): Promise<void> {
    while (this.pendingAsync.size > 0) await Promise.all([...this.pendingAsync])
  }
}

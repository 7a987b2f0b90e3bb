import { randomUUID } from 'node:crypto'
import { http } from 'msw'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { findFunction } from './functions.ts'
import { roleAllows } from './iam-policy.ts'
import { execute } from './invoke.ts'
import { settle } from './model.ts'
import { type EmulatorEnv, route } from './router.ts'
import { deleteMessage, type EmulatedQueue, nextVisibleAt, receive, type SqsMessage } from './sqs-model.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

export interface EmulatedMapping {
  uuid: string
  functionName: string
  functionArn: string
  sourceArn: string
  batchSize: number
  responseTypes: string[]
  enabled: boolean
  /** Creating until then, as Lambda reports a new mapping. */
  activeAt: number
  lastModified: number
  /** Stops its poller. */
  stop: () => void
}

/** How long an idle poller sleeps before looking again without being woken. */
const IDLE_MS = 1000

function notFound(): AwsFault {
  return new AwsFault(404, 'ResourceNotFoundException', 'The resource you requested does not exist.')
}

/** `now`: the emulator's state clock (`options.stateClock`), which the Creating delay is measured on. */
function configuration(mapping: EmulatedMapping, now: number, state = 'Enabled') {
  const current = now < mapping.activeAt ? 'Creating' : mapping.enabled ? state : 'Disabled'
  return {
    UUID: mapping.uuid,
    BatchSize: mapping.batchSize,
    MaximumBatchingWindowInSeconds: 0,
    EventSourceArn: mapping.sourceArn,
    FunctionArn: mapping.functionArn,
    LastModified: mapping.lastModified / 1000,
    State: current,
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: [...mapping.responseTypes],
  }
}

/** The SQS event Lambda builds for a batch. */
function sqsEvent(queue: EmulatedQueue, region: string, messages: SqsMessage[]): string {
  return JSON.stringify({
    Records: messages.map((message) => ({
      messageId: message.id,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.md5,
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: region,
    })),
  })
}

/** Ids of the messages the function reported as failed (all of them when the invocation itself failed). */
function failedIds(body: string, functionError: boolean, messages: SqsMessage[], reportsItems: boolean): Set<string> {
  const all = new Set(messages.map((message) => message.id))
  if (functionError) return all
  if (!reportsItems) return new Set()
  try {
    const failures = (JSON.parse(body) as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | null)?.batchItemFailures
    return new Set((failures ?? []).map((failure) => failure.itemIdentifier ?? ''))
  } catch {
    return all
  }
}

/**
 * Lambda's SQS poller for one mapping: receives batches, invokes the
 * function synchronously with them, deletes what succeeded; the rest
 * becomes visible again after the (shrunk) visibility timeout, and SQS's
 * redrive policy dead-letters a message received too often.
 */
function startPoller(env: EmulatorEnv, mapping: EmulatedMapping): () => void {
  const { state } = env
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let wake: (() => void) | undefined
  const sleep = (ms: number, queue: EmulatedQueue | undefined) =>
    new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer)
        queue?.waiting.delete(wakeOnce)
        resolve()
      }
      const wakeOnce = () => wake?.()
      queue?.waiting.add(wakeOnce)
      timer = setTimeout(wakeOnce, Math.max(1, ms))
      timer.unref()
    })
  const loop = async () => {
    while (!stopped) {
      const queue = state.queueByArn(mapping.sourceArn)
      const fn = state.functions.get(mapping.functionName)
      // Creating and Pending end on the state clock; the idle pause below is wall time either way.
      const now = state.options.stateClock.now()
      if (fn) settle(fn, now)
      if (!queue || !fn || fn.state !== 'Active' || !mapping.enabled || now < mapping.activeAt) {
        await sleep(Math.max(mapping.activeAt - now, 20), queue)
        continue
      }
      const messages = receive(queue, mapping.batchSize, state.options.queueRetryDelayMs, (arn) => state.queueByArn(arn))
      if (messages.length === 0) {
        const next = nextVisibleAt(queue)
        await sleep(next === undefined ? IDLE_MS : next - Date.now(), queue)
        continue
      }
      try {
        const execution = await execute(env, fn, sqsEvent(queue, state.options.region, messages), randomUUID())
        const failed = failedIds(
          execution.body,
          execution.functionError,
          messages,
          mapping.responseTypes.includes('ReportBatchItemFailures'),
        )
        for (const message of messages) {
          if (!failed.has(message.id) && message.receiptHandle) deleteMessage(queue, message.receiptHandle)
        }
      } catch (error) {
        // Throttled: the batch did not run and comes back after its visibility timeout.
        if (!ThrottledError.isInstance(error)) throw error
      }
    }
  }
  void loop().catch(() => {})
  return () => {
    stopped = true
    wake?.()
  }
}

/** Lambda's event source mappings (SQS sources only), under its REST API. */
export function eventSourceHandlers(env: EmulatorEnv, base: string) {
  const { state } = env
  const path = `${base}/2015-03-31/event-source-mappings`
  const find = (uuid: string | undefined) => {
    const mapping = uuid === undefined ? undefined : state.mappings.get(uuid)
    if (!mapping) throw notFound()
    return mapping
  }
  const checkBatchSize = (value: unknown): number => {
    const size = Number(value ?? 10)
    if (!(Number.isInteger(size) && size >= 1 && size <= 10_000)) {
      throw new AwsFault(400, 'InvalidParameterValueException', `BatchSize must be between 1 and 10000 (got ${String(value)})`)
    }
    return size
  }
  return [
    ...['', '/'].map((slash) =>
      http.post(
        `${path}${slash}`,
        route(env, 'rest-json', 'CreateEventSourceMapping', async ({ request }) => {
          const body = await readJson(request)
          const fn = findFunction(env, /function:([^:]+)/.exec(String(body.FunctionName))?.[1] ?? String(body.FunctionName))
          const sourceArn = String(body.EventSourceArn ?? '')
          const queue = state.queueByArn(sourceArn)
          if (!queue) {
            throw new AwsFault(
              400,
              'InvalidParameterValueException',
              'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.',
            )
          }
          const role = state.roles.get(fn.live.config.role.slice(fn.live.config.role.lastIndexOf('/') + 1))
          if (role && !roleAllows(role, 'sqs:ReceiveMessage', queue.arn, queue.tags)) {
            throw new AwsFault(
              400,
              'InvalidParameterValueException',
              'The provided execution role does not have permissions to call ReceiveMessage on SQS',
            )
          }
          const visibility = Number(queue.attributes.VisibilityTimeout)
          if (visibility < fn.live.config.timeout) {
            throw new AwsFault(
              400,
              'InvalidParameterValueException',
              `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.live.config.timeout} seconds`,
            )
          }
          const existing = [...state.mappings.values()].find((m) => m.functionArn === fn.arn && m.sourceArn === sourceArn)
          if (existing) {
            throw new AwsFault(
              409,
              'ResourceConflictException',
              `An event source mapping with SQS arn (" ${sourceArn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
            )
          }
          const now = state.options.stateClock.now()
          const mapping: EmulatedMapping = {
            uuid: randomUUID(),
            functionName: fn.name,
            functionArn: fn.arn,
            sourceArn,
            batchSize: checkBatchSize(body.BatchSize),
            responseTypes: (body.FunctionResponseTypes ?? []) as string[],
            enabled: body.Enabled !== false,
            activeAt: now + state.options.stateDelayMs,
            lastModified: Date.now(),
            stop: () => {},
          }
          mapping.stop = startPoller(env, mapping)
          state.mappings.set(mapping.uuid, mapping)
          return jsonResponse(202, configuration(mapping, now))
        }),
      ),
    ),
    ...['', '/'].map((slash) =>
      http.get(
        `${path}${slash}`,
        route(env, 'rest-json', 'ListEventSourceMappings', async ({ request }) => {
          const query = new URL(request.url).searchParams
          const fnName = query.get('FunctionName')
          const arn = fnName === null ? undefined : state.functionArn(/function:([^:]+)/.exec(fnName)?.[1] ?? fnName)
          const source = query.get('EventSourceArn')
          const mappings = [...state.mappings.values()].filter(
            (m) => (arn === undefined || m.functionArn === arn) && (source === null || m.sourceArn === source),
          )
          return jsonResponse(200, { EventSourceMappings: mappings.map((m) => configuration(m, state.options.stateClock.now())) })
        }),
      ),
    ),
    http.get(
      `${path}/:uuid`,
      route(env, 'rest-json', 'GetEventSourceMapping', async ({ params }) =>
        jsonResponse(200, configuration(find(params.uuid), state.options.stateClock.now())),
      ),
    ),
    http.put(
      `${path}/:uuid`,
      route(env, 'rest-json', 'UpdateEventSourceMapping', async ({ params, request }) => {
        const mapping = find(params.uuid)
        const body = await readJson(request)
        if (body.BatchSize !== undefined) mapping.batchSize = checkBatchSize(body.BatchSize)
        if (body.FunctionResponseTypes !== undefined) mapping.responseTypes = body.FunctionResponseTypes as string[]
        if (body.Enabled !== undefined) mapping.enabled = body.Enabled !== false
        mapping.lastModified = Date.now()
        return jsonResponse(202, configuration(mapping, state.options.stateClock.now(), 'Updating'))
      }),
    ),
    http.delete(
      `${path}/:uuid`,
      route(env, 'rest-json', 'DeleteEventSourceMapping', async ({ params }) => {
        const mapping = find(params.uuid)
        mapping.stop()
        state.mappings.delete(mapping.uuid)
        return jsonResponse(202, configuration(mapping, state.options.stateClock.now(), 'Deleting'))
      }),
    ),
  ]
}

import { http } from 'msw'
import { type EmulatorEnv, route } from './router.ts'
import {
  DEFAULT_ATTRIBUTES,
  deleteMessage,
  type EmulatedQueue,
  enqueue,
  MAX_MESSAGE_BYTES,
  newMessage,
  receive,
  redrivePolicyOf,
} from './sqs-model.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/

function invalid(message: string): AwsFault {
  return new AwsFault(400, 'InvalidParameterValue', message)
}

function sqsResponse(body: unknown): Response {
  return jsonResponse(200, body, { 'content-type': 'application/x-amz-json-1.0' })
}

/**
 * SQS as the current SDK speaks it: AWS JSON 1.0, every operation a POST to
 * the regional endpoint named by `X-Amz-Target: AmazonSQS.<Op>`, errors
 * with the old query codes in `x-amzn-query-error`.
 */
export function sqsHandlers(env: EmulatorEnv) {
  const { state } = env
  const { region, accountId } = state.options
  const endpoint = `https://sqs.${region}.amazonaws.com`
  const operationOf = (request: Request) => (request.headers.get('x-amz-target') ?? '').replace(/^AmazonSQS\./, '')

  const byUrl = (url: unknown): EmulatedQueue => {
    const name = typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : ''
    const queue = state.queues.get(name)
    if (!queue || queue.url !== url) throw new AwsFault(400, 'QueueDoesNotExist', 'The specified queue does not exist.')
    return queue
  }

  const checkAttributes = (attributes: Record<string, string>): Record<string, string> => {
    const visibility = attributes.VisibilityTimeout
    if (visibility !== undefined && !(Number(visibility) >= 0 && Number(visibility) <= 43_200)) {
      throw new AwsFault(400, 'InvalidAttributeValue', `Invalid value for the parameter VisibilityTimeout.`)
    }
    if (attributes.RedrivePolicy !== undefined) {
      const queue = { attributes } as EmulatedQueue
      const policy = redrivePolicyOf(queue)
      if (!policy || !state.queueByArn(policy.deadLetterTargetArn)) {
        throw new AwsFault(
          400,
          'InvalidAttributeValue',
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
        )
      }
      if (!(policy.maxReceiveCount >= 1 && policy.maxReceiveCount <= 1000)) {
        throw new AwsFault(
          400,
          'InvalidAttributeValue',
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${policy.maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`,
        )
      }
    }
    return attributes
  }

  const operations: Record<string, (body: Record<string, unknown>) => Response> = {
    CreateQueue(body) {
      const name = String(body.QueueName ?? '')
      if (!QUEUE_NAME.test(name)) {
        throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length')
      }
      const attributes = checkAttributes({ ...((body.Attributes ?? {}) as Record<string, string>) })
      const deletedAt = state.deletedQueues.get(name)
      if (deletedAt !== undefined && Date.now() - deletedAt < state.options.queueDeletedWindowMs) {
        throw new AwsFault(
          400,
          'QueueDeletedRecently',
          'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
        )
      }
      const existing = state.queues.get(name)
      if (existing) {
        const differs = Object.entries(attributes).find(([key, value]) => existing.attributes[key] !== value)
        if (differs) {
          throw new AwsFault(
            400,
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${differs[0]}`,
          )
        }
        return sqsResponse({ QueueUrl: existing.url })
      }
      const queue: EmulatedQueue = {
        name,
        url: `${endpoint}/${accountId}/${name}`,
        arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
        attributes: { ...DEFAULT_ATTRIBUTES, ...attributes },
        tags: { ...((body.tags ?? {}) as Record<string, string>) },
        createdAt: Date.now(),
        modifiedAt: Date.now(),
        messages: [],
        waiting: new Set(),
      }
      state.queues.set(name, queue)
      return sqsResponse({ QueueUrl: queue.url })
    },
    GetQueueUrl(body) {
      const queue = state.queues.get(String(body.QueueName ?? ''))
      if (!queue) throw new AwsFault(400, 'QueueDoesNotExist', 'The specified queue does not exist.')
      return sqsResponse({ QueueUrl: queue.url })
    },
    GetQueueAttributes(body) {
      const queue = byUrl(body.QueueUrl)
      const now = Date.now()
      const all: Record<string, string> = {
        ...queue.attributes,
        QueueArn: queue.arn,
        CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
        ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAt <= now).length),
        ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAt > now).length),
      }
      const names = (body.AttributeNames ?? []) as string[]
      const wanted = names.includes('All') ? Object.keys(all) : names
      return sqsResponse({ Attributes: Object.fromEntries(wanted.filter((key) => key in all).map((key) => [key, all[key]])) })
    },
    SetQueueAttributes(body) {
      const queue = byUrl(body.QueueUrl)
      Object.assign(queue.attributes, checkAttributes({ ...((body.Attributes ?? {}) as Record<string, string>) }))
      queue.modifiedAt = Date.now()
      return sqsResponse({})
    },
    DeleteQueue(body) {
      const queue = byUrl(body.QueueUrl)
      state.queues.delete(queue.name)
      state.deletedQueues.set(queue.name, Date.now())
      for (const wake of [...queue.waiting]) wake()
      return sqsResponse({})
    },
    ListQueues(body) {
      const prefix = String(body.QueueNamePrefix ?? '')
      const urls = [...state.queues.values()].filter((queue) => queue.name.startsWith(prefix)).map((queue) => queue.url)
      return sqsResponse({ QueueUrls: urls })
    },
    ListQueueTags(body) {
      return sqsResponse({ Tags: { ...byUrl(body.QueueUrl).tags } })
    },
    SendMessage(body) {
      const queue = byUrl(body.QueueUrl)
      const text = typeof body.MessageBody === 'string' ? body.MessageBody : ''
      if (text === '') throw new AwsFault(400, 'MissingParameter', 'The request must contain the parameter MessageBody.')
      if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
        throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`)
      }
      const message = newMessage(text)
      enqueue(queue, message)
      return sqsResponse({ MessageId: message.id, MD5OfMessageBody: message.md5 })
    },
    ReceiveMessage(body) {
      const queue = byUrl(body.QueueUrl)
      const max = Number(body.MaxNumberOfMessages ?? 1)
      if (!(Number.isInteger(max) && max >= 1 && max <= 10)) {
        throw invalid(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`)
      }
      const seconds = Number(body.VisibilityTimeout ?? queue.attributes.VisibilityTimeout)
      const visibilityMs = seconds === 0 ? 0 : state.options.queueRetryDelayMs
      const messages = receive(queue, max, visibilityMs, (arn) => state.queueByArn(arn))
      return sqsResponse({
        Messages: messages.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: message.md5,
          Body: message.body,
          Attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
          },
        })),
      })
    },
    DeleteMessage(body) {
      deleteMessage(byUrl(body.QueueUrl), String(body.ReceiptHandle ?? ''))
      return sqsResponse({})
    },
  }

  return [
    http.post(
      `${endpoint}/`,
      route(env, 'sqs', operationOf, async ({ request }) => {
        const operation = operations[operationOf(request)]
        if (!operation) throw new AwsFault(400, 'UnknownOperationException', `Unknown operation ${operationOf(request)}`)
        return operation(await readJson(request))
      }),
    ),
  ]
}

import { randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'

/** How each AWS service answers errors on the wire. */
export type Protocol = 'rest-json' | 'json-1.1' | 'query-xml' | 'scheduler' | 'sqs' | 's3'

/** SQS's JSON protocol keeps the old query error codes in a header, which the SDK reads first. */
const SQS_QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
}

/** An AWS error answer, thrown inside a route and rendered by `renderError`. */
export class AwsFault extends Error {
  readonly status: number
  readonly type: string
  readonly extra: { headers?: Record<string, string>; fields?: Record<string, unknown> }

  constructor(
    status: number,
    type: string,
    message: string,
    extra: { headers?: Record<string, string>; fields?: Record<string, unknown> } = {},
  ) {
    super(message)
    this.status = status
    this.type = type
    this.extra = extra
  }
}

// Lambda spells the message field with a capital M for these two only.
const CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException'])

export function renderError(protocol: Protocol, fault: AwsFault, requestId: string): Response {
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, ...fault.extra.headers }
  if (protocol === 'query-xml') {
    const body = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${fault.type}</Code><Message>${xmlEscape(fault.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
    return new HttpResponse(body, { status: fault.status, headers: { ...headers, 'content-type': 'text/xml' } })
  }
  if (protocol === 's3') return renderS3Error(fault, requestId, headers)
  if (protocol === 'sqs') {
    const body = JSON.stringify({ __type: `com.amazonaws.sqs#${fault.type}`, message: fault.message })
    const code = SQS_QUERY_CODES[fault.type] ?? fault.type
    return new HttpResponse(body, {
      status: fault.status,
      headers: {
        ...headers,
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${code};${fault.status >= 500 ? 'Receiver' : 'Sender'}`,
      },
    })
  }
  if (protocol === 'json-1.1') {
    const body = JSON.stringify({ __type: fault.type, message: fault.message, ...fault.extra.fields })
    return new HttpResponse(body, { status: fault.status, headers: { ...headers, 'content-type': 'application/x-amz-json-1.1' } })
  }
  // EventBridge Scheduler spells it Message throughout.
  const messageKey = protocol === 'scheduler' || CAPITAL_MESSAGE.has(fault.type) ? 'Message' : 'message'
  const body = JSON.stringify({
    Type: fault.status >= 500 ? 'Service' : 'User',
    [messageKey]: fault.message,
    ...fault.extra.fields,
  })
  return new HttpResponse(body, {
    status: fault.status,
    headers: { ...headers, 'x-amzn-ErrorType': fault.type, 'content-type': 'application/json' },
  })
}

/**
 * S3's REST error: an `<Error>` document with Code, Message, the fault's
 * extra fields (BucketName, ArgumentName, ...), RequestId and HostId
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
function renderS3Error(fault: AwsFault, requestId: string, headers: Record<string, string>): Response {
  const fields = Object.entries(fault.extra.fields ?? {})
    .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
    .join('')
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.type}</Code><Message>${xmlEscape(fault.message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>emulated</HostId></Error>`
  const { 'x-amzn-RequestId': _, ...rest } = headers
  return new HttpResponse(body, {
    status: fault.status,
    headers: { ...rest, 'x-amz-request-id': requestId, 'x-amz-id-2': 'emulated', 'content-type': 'application/xml' },
  })
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new HttpResponse(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID(), ...headers },
  })
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c)
}

/** Reads a JSON request body; a malformed one is the client's fault. */
/** `limit`: the most the operation's request may hold, answered 413 beyond it. */
export async function readJson(request: Request, limit?: { bytes: number; operation: string }): Promise<Record<string, unknown>> {
  const text = await request.text()
  if (limit && Buffer.byteLength(text) > limit.bytes) {
    throw new AwsFault(
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit.bytes} bytes for the ${limit.operation} operation`,
    )
  }
  if (!text) return {}
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // Answered below, as AWS does.
  }
  throw new AwsFault(400, 'SerializationException', 'Could not parse request body into json')
}

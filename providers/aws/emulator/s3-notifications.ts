/**
 * A bucket's notification configuration as PutBucketNotificationConfiguration
 * takes it and GetBucketNotificationConfiguration gives it back, in the XML
 * of @aws-sdk/client-s3's schema (dist-es/schemas/schemas_0.js:
 * `NotificationConfiguration$` holds flattened `TopicConfiguration`,
 * `QueueConfiguration` and `CloudFunctionConfiguration` elements, each with
 * `Id`, its destination ARN (`Topic`, `Queue`, `CloudFunction`), flattened
 * `Event`s and `Filter/S3Key/FilterRule{Name,Value}`), checked as S3 checks
 * it (API_PutBucketNotificationConfiguration.html; the rules in s3-model.ts;
 * the answers' texts as recorded from S3 in LocalStack's snapshots
 * tests/aws/services/s3/test_s3_notifications_*.snapshot.json, and as MinIO's
 * S3-compatible error table spells them, cmd/api-errors.go).
 */
import { randomUUID } from 'node:crypto'
import { serviceMayInvoke } from './extras.ts'
import type { EmulatedFunction } from './model.ts'
import { DESTINATION_ELEMENT, type NotificationEntry, type NotificationKind, overlap, S3_EVENT_TYPES } from './s3-model.ts'
import { childrenNamed, childText, malformedXml, parseXml, type XmlNode } from './s3-xml.ts'
import type { AwsEmulatorState } from './state.ts'
import { AwsFault, xmlEscape } from './wire.ts'

const KINDS = Object.keys(DESTINATION_ELEMENT) as NotificationKind[]
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

const invalidArgument = (message: string, fields: Record<string, string> = {}) =>
  new AwsFault(400, 'InvalidArgument', message, { fields })

function filterOf(entry: XmlNode): { prefix: string | undefined; suffix: string | undefined } {
  const rules = { prefix: undefined as string | undefined, suffix: undefined as string | undefined }
  const filter = entry.children.find((child) => child.name === 'Filter')
  const key = filter?.children.find((child) => child.name === 'S3Key')
  for (const rule of key ? childrenNamed(key, 'FilterRule') : []) {
    // S3 takes the rule names in any case (the console writes Prefix / Suffix).
    const name = childText(rule, 'Name')?.toLowerCase()
    if (name !== 'prefix' && name !== 'suffix') {
      throw invalidArgument('filter rule name must be either prefix or suffix', {
        ArgumentName: 'FilterRule.Name',
        ArgumentValue: childText(rule, 'Name') ?? '',
      })
    }
    if (rules[name] !== undefined) {
      throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, {
        ArgumentName: 'FilterRule.Name',
        ArgumentValue: name,
      })
    }
    const value = childText(rule, 'Value') ?? ''
    if (Buffer.byteLength(value) > 1024) {
      throw invalidArgument('Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation')
    }
    rules[name] = value
  }
  return rules
}

/** A PutBucketNotificationConfiguration body as the bucket keeps it. */
export interface ParsedNotifications {
  entries: NotificationEntry[]
  /** Whether it holds `<EventBridgeConfiguration/>` (see EmulatedBucket.eventBridge). */
  eventBridge: boolean
}

/** The entries of a PutBucketNotificationConfiguration body, checked one by one (destinations and overlap apart). */
export function parseNotifications(body: string): ParsedNotifications {
  const root = parseXml(body || `<NotificationConfiguration xmlns="${S3_NS}"/>`)
  if (root.name !== 'NotificationConfiguration') throw malformedXml()
  const eventBridge = childrenNamed(root, 'EventBridgeConfiguration').length > 0
  const entries: NotificationEntry[] = []
  for (const kind of KINDS) {
    for (const node of childrenNamed(root, kind)) {
      const arn = childText(node, DESTINATION_ELEMENT[kind])
      const events = childrenNamed(node, 'Event').map((event) => event.text)
      if (!arn || events.length === 0) throw malformedXml()
      if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d*:.+$/.test(arn)) {
        // Recorded from S3 (LocalStack snapshot test_s3_notifications_lambda.py::test_invalid_lambda_arn).
        throw invalidArgument('The ARN could not be parsed', {
          ArgumentName: DESTINATION_ELEMENT[kind],
          ArgumentValue: arn,
        })
      }
      for (const event of events) {
        if (!S3_EVENT_TYPES.has(event)) {
          throw invalidArgument('The event is not supported for notifications', { ArgumentName: 'Event', ArgumentValue: event })
        }
      }
      // An entry without an Id gets one (API_LambdaFunctionConfiguration.html, "Id").
      const id = childText(node, 'Id') || randomUUID()
      entries.push({ kind, id, arn, events: [...new Set(events)], ...filterOf(node) })
    }
  }
  return { entries, eventBridge }
}

/**
 * A function S3 may invoke for this bucket: its resource policy names
 * s3.amazonaws.com (AddPermission) and, when the statement has a source
 * ARN, this bucket's (https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html).
 */
export const s3MayInvoke = (fn: EmulatedFunction, bucket: string) =>
  serviceMayInvoke(fn, 's3.amazonaws.com', `arn:aws:s3:::${bucket}`)

/** Whether S3 can deliver to the entry's destination (it checks each one before it accepts the configuration). */
function destinationValid(state: AwsEmulatorState, bucket: string, entry: NotificationEntry): boolean {
  if (entry.kind === 'CloudFunctionConfiguration') {
    const fn = state.functions.get(/:function:([^:]+)/.exec(entry.arn)?.[1] ?? '')
    return fn !== undefined && s3MayInvoke(fn, bucket)
  }
  if (entry.kind === 'QueueConfiguration') return state.queueByArn(entry.arn) !== undefined
  return state.topics.has(entry.arn)
}

/**
 * Refuses a configuration S3 refuses: two entries that share an event type
 * with filters some key passes both of, or a destination S3 cannot use (for
 * a function: one missing, or whose policy does not let S3 invoke it for
 * this bucket). `skipDestinations` is the request's
 * `x-amz-skip-destination-validation: true` ("Skips validation of Amazon SQS,
 * Amazon SNS, and Lambda destinations":
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html;
 * the header as @aws-sdk/client-s3's model names `SkipDestinationValidation`):
 * the destinations go unchecked, the rest is checked all the same.
 */
export function checkNotifications(
  state: AwsEmulatorState,
  bucket: string,
  entries: readonly NotificationEntry[],
  skipDestinations = false,
): void {
  entries.forEach((entry, index) => {
    if (entries.slice(index + 1).some((other) => overlap(entry, other))) {
      throw invalidArgument('Configurations overlap. Configurations on the same bucket cannot share a common event type.')
    }
  })
  if (skipDestinations) return
  const unusable = entries.filter((entry) => !destinationValid(state, bucket, entry))
  if (unusable.length === 0) return
  const fields: Record<string, string> = {}
  // As recorded from S3 (LocalStack snapshots test_invalid_lambda_arn, "lambda-does-not-exist", and
  // test_invalid_sqs_arn, "queue-does-not-exist"): a function's ARN is followed by ", null", a queue's is not.
  unusable.forEach((entry, index) => {
    const lambda = entry.kind === 'CloudFunctionConfiguration'
    fields[`ArgumentName${index + 1}`] = lambda ? `${entry.arn}, null` : entry.arn
    fields[`ArgumentValue${index + 1}`] = lambda
      ? `Not authorized to invoke function [${entry.arn}]`
      : entry.kind === 'QueueConfiguration'
        ? 'The destination queue does not exist'
        : 'The destination topic does not exist'
  })
  throw invalidArgument('Unable to validate the following destination configurations', fields)
}

const rule = (name: string, value: string | undefined) =>
  value === undefined ? '' : `<FilterRule><Name>${name}</Name><Value>${xmlEscape(value)}</Value></FilterRule>`

/** The GetBucketNotificationConfiguration answer (EventBridgeConfiguration last, as the API reference lists the members). */
export function notificationsXml(entries: readonly NotificationEntry[], eventBridge = false): string {
  const body = KINDS.flatMap((kind) =>
    entries
      .filter((entry) => entry.kind === kind)
      .map((entry) => {
        const filter =
          entry.prefix === undefined && entry.suffix === undefined
            ? ''
            : `<Filter><S3Key>${rule('Prefix', entry.prefix)}${rule('Suffix', entry.suffix)}</S3Key></Filter>`
        const events = entry.events.map((event) => `<Event>${event}</Event>`).join('')
        const destination = DESTINATION_ELEMENT[kind]
        return `<${kind}><Id>${xmlEscape(entry.id)}</Id><${destination}>${xmlEscape(entry.arn)}</${destination}>${events}${filter}</${kind}>`
      }),
  )
  const bridge = eventBridge ? '<EventBridgeConfiguration></EventBridgeConfiguration>' : ''
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="${S3_NS}">${body.join('')}${bridge}</NotificationConfiguration>`
}

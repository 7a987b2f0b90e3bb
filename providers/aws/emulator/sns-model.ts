/**
 * What the emulated SNS keeps (topics, their tags and Lambda subscriptions)
 * and the event a Lambda subscription gets, as documented at
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html ("Example SNS
 * message event"). The signature fields are placeholders: nothing in the
 * emulator verifies them, and a handler must not rely on them.
 */
export interface SnsSubscription {
  arn: string
  topicArn: string
  protocol: string
  endpoint: string
}

export interface EmulatedTopic {
  name: string
  arn: string
  tags: Array<{ Key: string; Value: string }>
  /** Subscriptions by ARN, in the order they were made. */
  subscriptions: Map<string, SnsSubscription>
}

/** SNS's message limit: 256 KiB (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, "Message"). */
export const MAX_SNS_MESSAGE_BYTES = 256 * 1024

/** Topic names: 1–256 letters, digits, hyphens and underscores (API_CreateTopic.html, "Name"). */
export const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/

export interface SnsNotification {
  messageId: string
  message: string
  subject: string | undefined
  timestamp: string
}

/** The event SNS hands a subscribed function: one record per notification. */
export function snsEvent(region: string, subscription: SnsSubscription, notification: SnsNotification): string {
  const host = `https://sns.${region}.amazonaws.com`
  return JSON.stringify({
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: subscription.arn,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: notification.timestamp,
          Signature: 'EMULATED',
          SigningCertUrl: `${host}/SimpleNotificationService-emulated.pem`,
          MessageId: notification.messageId,
          Message: notification.message,
          MessageAttributes: {},
          Type: 'Notification',
          UnsubscribeUrl: `${host}/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
          TopicArn: subscription.topicArn,
          Subject: notification.subject ?? null,
        },
      },
    ],
  })
}

/** The SNS message inside an SNS event, if `body` is one (a dead letter's invocation record holds the event). */
export function snsMessageOf(event: unknown): string | undefined {
  const records = (event as { Records?: Array<{ Sns?: { Message?: unknown } }> } | null)?.Records
  const message = records?.[0]?.Sns?.Message
  return typeof message === 'string' ? message : undefined
}

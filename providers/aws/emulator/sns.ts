/**
 * SNS as @aws-sdk/client-sns (3.x) speaks it: the query protocol
 * (`AwsQueryProtocol` in its dist-cjs/index.js): a form-encoded POST to
 * `https://sns.<region>.amazonaws.com/` with `Action` and `Version=2010-03-31`,
 * answered with `<ActionResponse><ActionResult>` XML, errors as
 * `<ErrorResponse><Error><Code>`. The operations the provider uses, with the
 * answers of the API reference (https://docs.aws.amazon.com/sns/latest/api/):
 * CreateTopic (idempotent; refused when the tags differ), Subscribe (protocol
 * lambda only, idempotent), Unsubscribe, ListSubscriptionsByTopic, ListTopics,
 * DeleteTopic (idempotent), Publish, TagResource and ListTagsForResource.
 *
 * Publish hands each Lambda subscription the documented SNS event
 * (sns-model.ts) as an asynchronous invocation (invoke.ts's event queue), so
 * the function's retries and on-failure destination apply as Lambda's do
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). SNS invokes
 * only a function whose resource policy lets sns.amazonaws.com do it (for
 * that topic, when the statement names a source ARN); one that does not gets nothing (SNS's delivery fails and is not retried here).
 */
import { randomUUID } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { serviceMayInvoke } from './extras.ts'
import { enqueueAsync } from './invoke.ts'
import { type EmulatorEnv, route } from './router.ts'
import { type EmulatedTopic, MAX_SNS_MESSAGE_BYTES, type SnsSubscription, snsEvent, TOPIC_NAME } from './sns-model.ts'
import { AwsFault, xmlEscape } from './wire.ts'

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/'

function xmlResponse(action: string, result: string | undefined, requestId: string): Response {
  const inner = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`
  const body = `<${action}Response xmlns="${NS}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  return new HttpResponse(body, { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId } })
}

const invalid = (what: string) => new AwsFault(400, 'InvalidParameter', `Invalid parameter: ${what}`)
const topicMissing = () => new AwsFault(404, 'NotFound', 'Topic does not exist')

function tagsOf(form: URLSearchParams): Array<{ Key: string; Value: string }> {
  const tags: Array<{ Key: string; Value: string }> = []
  for (let i = 1; form.has(`Tags.member.${i}.Key`); i++) {
    tags.push({ Key: form.get(`Tags.member.${i}.Key`) ?? '', Value: form.get(`Tags.member.${i}.Value`) ?? '' })
  }
  return tags
}

const tagsXml = (tags: EmulatedTopic['tags']) =>
  tags.map((tag) => `<member><Key>${xmlEscape(tag.Key)}</Key><Value>${xmlEscape(tag.Value)}</Value></member>`).join('')

const sameTags = (a: EmulatedTopic['tags'], b: EmulatedTopic['tags']) =>
  a.length === b.length && a.every((tag) => b.some((other) => other.Key === tag.Key && other.Value === tag.Value))

export function snsHandlers(env: EmulatorEnv) {
  const { state } = env
  const { region, accountId } = state.options
  const formOf = async (request: Request) => new URLSearchParams(await request.clone().text())
  const actionOf = async (request: Request) => (await formOf(request)).get('Action') ?? 'Unknown'
  const topicOf = (arn: string | null): EmulatedTopic =>
    state.topics.get(arn ?? '') ??
    (() => {
      throw topicMissing()
    })()

  const publish = (topic: EmulatedTopic, message: string, subject: string | undefined): string => {
    const notification = { messageId: randomUUID(), message, subject, timestamp: new Date().toISOString() }
    for (const subscription of topic.subscriptions.values()) {
      const name = /function:([^:]+)/.exec(subscription.endpoint)?.[1] ?? ''
      const fn = state.functions.get(name)
      // SNS invokes only a function whose policy lets it do so for this topic.
      if (!fn || !serviceMayInvoke(fn, 'sns.amazonaws.com', topic.arn)) continue
      void enqueueAsync(env, fn, snsEvent(region, subscription, notification), randomUUID())
    }
    return notification.messageId
  }

  const handle = route(env, 'query-xml', actionOf, async ({ request, requestId }) => {
    const form = await formOf(request)
    const action = form.get('Action') ?? ''
    switch (action) {
      case 'CreateTopic': {
        const name = form.get('Name') ?? ''
        if (!TOPIC_NAME.test(name)) throw invalid('Topic Name')
        const arn = `arn:aws:sns:${region}:${accountId}:${name}`
        const tags = tagsOf(form)
        const existing = state.topics.get(arn)
        // Creating an existing topic returns its ARN, unless the request's tags differ (API_CreateTopic.html).
        if (existing && tags.length > 0 && !sameTags(existing.tags, tags)) {
          throw invalid('Tags Reason: Topic already exists with different tags')
        }
        if (!existing) state.topics.set(arn, { name, arn, tags, subscriptions: new Map() })
        return xmlResponse(action, `<TopicArn>${arn}</TopicArn>`, requestId)
      }
      case 'ListTopics': {
        const members = [...state.topics.keys()].map((arn) => `<member><TopicArn>${arn}</TopicArn></member>`)
        return xmlResponse(action, `<Topics>${members.join('')}</Topics>`, requestId)
      }
      case 'DeleteTopic':
        // Deleting a topic that does not exist is not an error; its subscriptions go with it.
        state.topics.delete(form.get('TopicArn') ?? '')
        return xmlResponse(action, undefined, requestId)
      case 'Subscribe': {
        const topic = topicOf(form.get('TopicArn'))
        const protocol = form.get('Protocol') ?? ''
        const endpoint = form.get('Endpoint') ?? ''
        if (protocol !== 'lambda') throw invalid(`Protocol (only lambda is emulated, got ${protocol})`)
        if (!/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/.test(endpoint)) {
          throw invalid('Lambda endpoint ARN')
        }
        // Subscribing the same endpoint again returns the subscription it has.
        const found = [...topic.subscriptions.values()].find((s) => s.protocol === protocol && s.endpoint === endpoint)
        const subscription: SnsSubscription = found ?? {
          arn: `${topic.arn}:${randomUUID()}`,
          topicArn: topic.arn,
          protocol,
          endpoint,
        }
        topic.subscriptions.set(subscription.arn, subscription)
        return xmlResponse(action, `<SubscriptionArn>${subscription.arn}</SubscriptionArn>`, requestId)
      }
      case 'Unsubscribe': {
        const arn = form.get('SubscriptionArn') ?? ''
        const topic = state.topics.get(arn.slice(0, arn.lastIndexOf(':')))
        if (!topic?.subscriptions.delete(arn)) throw new AwsFault(404, 'NotFound', 'Subscription does not exist')
        return xmlResponse(action, undefined, requestId)
      }
      case 'ListSubscriptionsByTopic': {
        const topic = topicOf(form.get('TopicArn'))
        const members = [...topic.subscriptions.values()].map(
          (s) =>
            `<member><TopicArn>${s.topicArn}</TopicArn><Protocol>${s.protocol}</Protocol><SubscriptionArn>${s.arn}</SubscriptionArn><Owner>${accountId}</Owner><Endpoint>${xmlEscape(s.endpoint)}</Endpoint></member>`,
        )
        return xmlResponse(action, `<Subscriptions>${members.join('')}</Subscriptions>`, requestId)
      }
      case 'Publish': {
        const topic = topicOf(form.get('TopicArn'))
        const message = form.get('Message')
        if (!message) throw invalid('Empty message')
        if (Buffer.byteLength(message, 'utf8') > MAX_SNS_MESSAGE_BYTES) throw invalid('Message too long')
        const messageId = publish(topic, message, form.get('Subject') ?? undefined)
        return xmlResponse(action, `<MessageId>${messageId}</MessageId>`, requestId)
      }
      case 'TagResource': {
        const topic = state.topics.get(form.get('ResourceArn') ?? '')
        if (!topic) throw new AwsFault(404, 'ResourceNotFound', 'Resource does not exist')
        for (const tag of tagsOf(form)) {
          topic.tags = [...topic.tags.filter((t) => t.Key !== tag.Key), tag]
        }
        return xmlResponse(action, '', requestId)
      }
      case 'ListTagsForResource': {
        const topic = state.topics.get(form.get('ResourceArn') ?? '')
        if (!topic) throw new AwsFault(404, 'ResourceNotFound', 'Resource does not exist')
        return xmlResponse(action, `<Tags>${tagsXml(topic.tags)}</Tags>`, requestId)
      }
      default:
        throw new AwsFault(400, 'InvalidAction', `Could not find operation ${action} for version 2010-03-31`)
    }
  })
  return [http.post(`https://sns.${region}.amazonaws.com/`, handle)]
}

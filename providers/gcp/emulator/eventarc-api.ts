/**
 * The Eventarc API (eventarc.googleapis.com/v1), for standalone triggers on
 * Cloud Storage events whose destination is a Cloud Run service (a 2nd gen
 * function's service): create, get and delete, each long-running operation
 * done at once. Reference: https://cloud.google.com/eventarc/docs/reference/rest/v1/projects.locations.triggers
 * and the rules of eventarc-storage.ts (event types, `bucket` filter, the
 * bucket's location). Only Cloud Storage event types are modelled here.
 */
import { randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'
import { eventarcStorage, invalidStorageTrigger } from './eventarc-storage.ts'
import type { GcsModel } from './gcs.ts'
import { googleError } from './google-errors.ts'
import type { PubsubModel } from './pubsub.ts'
import type { GcpEmulatorState } from './state.ts'

interface TriggerResource {
  name: string
  uid: string
  eventFilters: Array<{ attribute: string; value: string; operator?: string }>
  destination: { cloudRun: { service: string; region: string; path?: string } }
  serviceAccount?: string
  labels?: Record<string, string>
  transport: { pubsub: { topic: string; subscription: string } }
  createTime: string
  updateTime: string
}

const TRIGGER_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export function createEventarcApi(state: GcpEmulatorState, pubsub: PubsubModel, gcs: GcsModel) {
  const triggers = new Map<string, TriggerResource>()
  const done = (location: string, response: object) =>
    HttpResponse.json({
      name: `${location}/operations/operation-${randomUUID()}`,
      done: true,
      metadata: { '@type': 'type.googleapis.com/google.cloud.eventarc.v1.OperationMetadata', apiVersion: 'v1' },
      response,
    })

  const create = async (location: string, url: URL, request: Request): Promise<Response> => {
    const id = url.searchParams.get('triggerId') ?? ''
    if (!TRIGGER_ID.test(id)) return googleError('INVALID_ARGUMENT', `Invalid trigger_id: ${JSON.stringify(id)}`)
    const name = `${location}/triggers/${id}`
    if (triggers.has(name)) return googleError('ALREADY_EXISTS', `Resource '${name}' already exists`)
    const body = (await request.json()) as Partial<TriggerResource>
    const filters = body.eventFilters ?? []
    const eventType = filters.find((filter) => filter.attribute === 'type')?.value
    const [, project, , region] = location.split('/') as [string, string, string, string]
    const eventTrigger = {
      eventType,
      eventFilters: filters.filter((filter) => filter.attribute !== 'type'),
      triggerRegion: region,
    }
    const storage = eventarcStorage(eventTrigger, gcs)
    if (!storage) return googleError('INVALID_ARGUMENT', `The event type ${JSON.stringify(eventType ?? '')} is not supported`)
    const invalid = invalidStorageTrigger(eventTrigger, gcs)
    if (invalid) return googleError('INVALID_ARGUMENT', invalid)
    const service = body.destination?.cloudRun?.service ?? ''
    const target = state.byShortName(service)
    if (!target)
      return googleError('NOT_FOUND', `Cloud Run service ${service} not found in region ${body.destination?.cloudRun?.region}`)
    const digits = () => String(Math.floor(Math.random() * 1000)).padStart(3, '0')
    const topic = storage.createTopic(pubsub, `projects/${project}/topics/eventarc-${region}-${id}-${digits()}`)
    const subscription = `projects/${project}/subscriptions/eventarc-${region}-${id}-sub-${digits()}`
    const uri = target.resource.serviceConfig.uri
    const serviceAccount = body.serviceAccount ?? target.resource.serviceConfig.serviceAccountEmail
    pubsub.subscriptions.set(subscription, {
      resource: {
        name: subscription,
        topic,
        labels: { 'goog-eventarc': '' },
        pushConfig: { pushEndpoint: uri, oidcToken: { serviceAccountEmail: serviceAccount, audience: uri } },
        ackDeadlineSeconds: 600,
        messageRetentionDuration: '86400s',
        retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
      },
      backlog: [],
      cloudEvent: storage.cloudEvent,
    })
    const now = new Date().toISOString()
    const resource: TriggerResource = {
      name,
      uid: randomUUID(),
      eventFilters: filters,
      destination: { cloudRun: { service, region: body.destination?.cloudRun?.region ?? region, path: '/' } },
      ...(serviceAccount ? { serviceAccount } : {}),
      ...(body.labels ? { labels: body.labels } : {}),
      transport: { pubsub: { topic, subscription } },
      createTime: now,
      updateTime: now,
    }
    triggers.set(name, resource)
    return done(location, resource)
  }

  const remove = (location: string, trigger: TriggerResource): Response => {
    triggers.delete(trigger.name)
    const { topic, subscription } = trigger.transport.pubsub
    pubsub.removeSubscription(subscription)
    pubsub.topics.delete(topic)
    gcs.notifications.splice(0, gcs.notifications.length, ...gcs.notifications.filter((config) => config.topic !== topic))
    return done(location, trigger)
  }

  const handler = async (request: Request): Promise<Response> => {
    if (!request.headers.get('authorization')) {
      return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
    }
    const url = new URL(request.url)
    const match = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/(triggers|operations)(?:\/([^/]+))?$/.exec(url.pathname)
    if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
    const [, location = '', collection, id] = match
    if (collection === 'operations') return googleError('NOT_FOUND', `Operation ${id} not found`)
    if (!id) {
      if (request.method === 'POST') return create(location, url, request)
      if (request.method === 'GET') {
        // `locations/-` lists every location's (AIP-159).
        const prefix = location.endsWith('/locations/-') ? location.slice(0, -'-'.length) : `${location}/`
        return HttpResponse.json({ triggers: [...triggers.values()].filter((trigger) => trigger.name.startsWith(prefix)) })
      }
      return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
    }
    const trigger = triggers.get(`${location}/triggers/${id}`)
    if (!trigger) return googleError('NOT_FOUND', `Resource '${location}/triggers/${id}' was not found`)
    if (request.method === 'GET') return HttpResponse.json(trigger)
    if (request.method === 'DELETE') return remove(location, trigger)
    return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
  }
  return { triggers, handler }
}

import { Cron } from 'croner'
import { HttpResponse } from 'msw'
import type { TriggerClock } from '../../../src/triggers/clock.ts'
import type { ServeFunction } from './function-url.ts'
import { googleError } from './google-errors.ts'
import { fakeIdToken } from './id-token.ts'

/** A Cloud Scheduler job as the REST API shows it (enums as numbers: httpMethod POST = 1, state ENABLED = 1). */
export interface JobResource {
  name: string
  description?: string
  schedule: string
  timeZone: string
  httpTarget: {
    uri: string
    httpMethod?: number
    headers?: Record<string, string>
    /** Base64. */
    body?: string
    oidcToken?: { serviceAccountEmail?: string; audience?: string }
  }
  retryConfig?: { retryCount?: number }
  attemptDeadline?: string
  state: number
  userUpdateTime: string
  scheduleTime?: string
  lastAttemptTime?: string
  status?: { code: number; message?: string }
}

const METHODS = ['', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']
const ENABLED = 1

function invalidJob(job: JobResource): string | undefined {
  try {
    new Cron(job.schedule, { timezone: job.timeZone, paused: true })
  } catch {
    return `Schedule or time zone is invalid: ${JSON.stringify(job.schedule)} in ${JSON.stringify(job.timeZone)}`
  }
  if (!/^https?:\/\//.test(job.httpTarget?.uri ?? '')) return 'http_target.uri must be an http(s) URL'
  if (job.httpTarget.oidcToken && !job.httpTarget.oidcToken.serviceAccountEmail)
    return 'http_target.oidc_token.service_account_email is required'
  // google/cloud/scheduler/v1/job.proto, attempt_deadline: "For HTTP targets, ... between 15 seconds and 30 minutes".
  const deadline = durationSeconds(job.attemptDeadline)
  if (deadline !== undefined && !(deadline >= 15 && deadline <= 1800))
    return 'attempt_deadline must be between 15 seconds and 30 minutes for HTTP targets'
  return undefined
}

/** A google.protobuf.Duration in its JSON form (`"60s"`), or as an object of seconds. */
function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'string') return /^(\d+(?:\.\d+)?)s$/.test(value) ? Number.parseFloat(value) : Number.NaN
  if (value && typeof value === 'object') return Number((value as { seconds?: unknown }).seconds ?? 0)
  return undefined
}

/**
 * Cloud Scheduler: jobs at cloudscheduler.googleapis.com/v1, each firing on
 * the emulator's clock by sending its HTTP target what Cloud Scheduler sends
 * (X-CloudScheduler headers with the tick's time, an OIDC token for the
 * audience), without retries when retryCount is 0.
 */
export class SchedulerModel {
  readonly jobs = new Map<string, { resource: JobResource; stop: () => void }>()
  readonly #clock: TriggerClock
  readonly #serve: ServeFunction

  constructor(clock: TriggerClock, serve: ServeFunction) {
    this.#clock = clock
    this.#serve = serve
  }

  close(): void {
    for (const job of this.jobs.values()) job.stop()
    this.jobs.clear()
  }

  #start(resource: JobResource): () => void {
    return this.#clock.every({
      cron: resource.schedule,
      timezone: resource.timeZone,
      fire: (at) => this.#fire(resource.name, at),
    })
  }

  async #fire(name: string, at: Date): Promise<void> {
    const job = this.jobs.get(name)?.resource
    if (!job || job.state !== ENABLED) return
    const target = job.httpTarget
    const method = METHODS[target.httpMethod ?? 1] || 'POST'
    const headers = new Headers(target.headers)
    headers.set('x-cloudscheduler', 'true')
    headers.set('x-cloudscheduler-jobname', name.split('/').pop() ?? '')
    headers.set('x-cloudscheduler-scheduletime', at.toISOString())
    headers.set('user-agent', 'Google-Cloud-Scheduler')
    if (target.oidcToken) headers.set('authorization', `Bearer ${fakeIdToken(target.oidcToken.audience || target.uri)}`)
    const body = target.body && method !== 'GET' && method !== 'HEAD' ? Buffer.from(target.body, 'base64') : undefined
    job.lastAttemptTime = new Date(this.#clock.now()).toISOString()
    try {
      const response = await this.#serve(new Request(target.uri, { method, headers, body }), { faults: false })
      await response.body?.cancel()
      job.status = response.ok ? { code: 0 } : { code: 2, message: `HTTP ${response.status}` }
    } catch (error) {
      job.status = { code: 14, message: String(error) }
    }
  }

  /** The REST API; `GET` answers the stored job, `POST` creates, `PATCH` applies the update mask. */
  handler(): (request: Request) => Promise<Response> {
    return async (request) => {
      if (!request.headers.get('authorization')) {
        return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
      }
      const url = new URL(request.url)
      const match = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/jobs(?:\/([^/:]+))?$/.exec(url.pathname)
      if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
      const [, parent = '', id] = match
      if (!id) {
        if (request.method === 'GET') return this.#list(parent, url)
        if (request.method === 'POST') return this.#create(parent, (await request.json()) as Partial<JobResource>)
        return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
      }
      const name = `${parent}/jobs/${id}`
      const job = this.jobs.get(name)
      if (!job) return googleError('NOT_FOUND', `Job not found: ${name}.`)
      if (request.method === 'GET') return HttpResponse.json(job.resource)
      if (request.method === 'DELETE') {
        job.stop()
        this.jobs.delete(name)
        return HttpResponse.json({})
      }
      if (request.method !== 'PATCH') return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
      const body = (await request.json()) as Record<string, unknown>
      const paths = (url.searchParams.get('updateMask') ?? Object.keys(body).join(',')).split(',').filter(Boolean)
      const next = structuredClone(job.resource) as unknown as Record<string, unknown>
      for (const path of paths) next[path] = body[path]
      const resource = { ...(next as unknown as JobResource), userUpdateTime: new Date().toISOString() }
      const invalid = invalidJob(resource)
      if (invalid) return googleError('INVALID_ARGUMENT', invalid)
      job.stop()
      this.jobs.set(name, { resource, stop: this.#start(resource) })
      return HttpResponse.json(resource)
    }
  }

  #create(parent: string, body: Partial<JobResource>): Response {
    const name = body.name ?? ''
    if (!name.startsWith(`${parent}/jobs/`) || !/^[A-Za-z0-9_-]{1,500}$/.test(name.split('/').pop() ?? ''))
      return googleError('INVALID_ARGUMENT', `Invalid job name: ${JSON.stringify(name)}`)
    if (this.jobs.has(name)) return googleError('ALREADY_EXISTS', `Job ${name} already exists.`)
    const resource: JobResource = {
      ...(body as JobResource),
      timeZone: body.timeZone || 'Etc/UTC',
      name,
      state: ENABLED,
      userUpdateTime: new Date().toISOString(),
    }
    const invalid = invalidJob(resource)
    if (invalid) return googleError('INVALID_ARGUMENT', invalid)
    this.jobs.set(name, { resource, stop: this.#start(resource) })
    return HttpResponse.json(resource)
  }

  #list(parent: string, url: URL): Response {
    const all = [...this.jobs.values()].map((job) => job.resource).filter((job) => job.name.startsWith(`${parent}/`))
    const pageSize = Math.min(Number(url.searchParams.get('pageSize')) || 500, 500)
    const offset = Number(url.searchParams.get('pageToken') || 0)
    const next = offset + pageSize < all.length ? { nextPageToken: String(offset + pageSize) } : {}
    return HttpResponse.json({ jobs: all.slice(offset, offset + pageSize), ...next })
  }
}

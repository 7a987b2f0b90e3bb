import { createHash } from 'node:crypto'
import { HttpResponse } from 'msw'
import { googleError } from './google-errors.ts'
import type { GcpEmulatorState } from './state.ts'

export interface IamBinding {
  role: string
  members: string[]
}

export interface IamPolicy {
  version: number
  bindings: IamBinding[]
  etag: string
}

export const INVOKER_ROLE = 'roles/run.invoker'

function etagOf(bindings: IamBinding[]): string {
  return createHash('sha256').update(JSON.stringify(bindings)).digest().subarray(0, 8).toString('base64')
}

export function emptyPolicy(): IamPolicy {
  return { version: 1, bindings: [], etag: etagOf([]) }
}

/** Whether Cloud Run lets anyone call the service without a token. */
export function isPublic(policy: IamPolicy | undefined): boolean {
  return !!policy?.bindings.some((binding) => binding.role === INVOKER_ROLE && binding.members.includes('allUsers'))
}

/**
 * Cloud Run Admin API v2, the IAM part: `GET services/S:getIamPolicy` and
 * `POST services/S:setIamPolicy` on the service behind each 2nd-gen function.
 * A set with a stale etag is refused (ABORTED), as IAM does for concurrent edits.
 */
export function createRunIam(state: GcpEmulatorState) {
  return async (request: Request): Promise<Response> => {
    if (!request.headers.get('authorization')) {
      return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
    }
    const url = new URL(request.url)
    const match = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/services\/[^/:]+):(getIamPolicy|setIamPolicy)$/.exec(url.pathname)
    if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
    const [, service = '', verb] = match
    const fn = [...state.functions.values()].find((candidate) => candidate.resource.serviceConfig.service === service)
    if (!fn) return googleError('NOT_FOUND', `Resource '${service}' was not found`)
    const current = state.servicePolicies.get(service) ?? emptyPolicy()
    if (verb === 'getIamPolicy' && request.method === 'GET') return HttpResponse.json(current)
    if (verb !== 'setIamPolicy' || request.method !== 'POST')
      return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
    const { policy } = (await request.json()) as { policy?: Partial<IamPolicy> }
    if (!policy || !Array.isArray(policy.bindings)) return googleError('INVALID_ARGUMENT', 'policy is required')
    if (policy.etag && policy.etag !== current.etag) {
      return googleError(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      )
    }
    const bindings = policy.bindings
      .filter((binding) => binding.members.length > 0)
      .map((binding) => ({ role: binding.role, members: [...new Set(binding.members)].sort() }))
    const next: IamPolicy = { version: 1, bindings, etag: etagOf(bindings) }
    state.servicePolicies.set(service, next)
    return HttpResponse.json(next)
  }
}

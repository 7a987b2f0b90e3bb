import { createHash } from 'node:crypto'
import { HttpResponse } from 'msw'
import { googleError } from './google-errors.ts'

export interface IamBinding {
  role: string
  members: string[]
  condition?: { expression: string; title?: string; description?: string }
}

export interface IamPolicy {
  version: number
  bindings: IamBinding[]
  etag: string
}

function etagOf(bindings: IamBinding[]): string {
  return createHash('sha256').update(JSON.stringify(bindings)).digest().subarray(0, 8).toString('base64')
}

export function emptyPolicy(): IamPolicy {
  return { version: 1, bindings: [], etag: etagOf([]) }
}

/** Whether `member` has `role` unconditionally (a condition may not hold when the role is needed). */
export function holds(policy: IamPolicy | undefined, role: string, member: string): boolean {
  return !!policy?.bindings.some((binding) => binding.role === role && !binding.condition && binding.members.includes(member))
}

/** As proto3 JSON goes over the wire: an empty list of bindings is left out. */
const wire = (policy: IamPolicy) => (policy.bindings.length > 0 ? policy : { version: policy.version, etag: policy.etag })

/**
 * The IAM mixin every Google API offers on its resources: `GET R:getIamPolicy`
 * and `POST R:setIamPolicy` with `{ policy }`, on the policy kept in
 * `policies` under `resource`. A set with a stale etag is refused (ABORTED),
 * as IAM does for concurrent edits; `refuse` says why the API would reject a
 * binding (a role the resource does not support, an account that does not exist).
 */
export async function servePolicy(
  request: Request,
  verb: string,
  policies: Map<string, IamPolicy>,
  resource: string,
  refuse: (binding: IamBinding) => string | undefined = () => undefined,
): Promise<Response> {
  const current = policies.get(resource) ?? emptyPolicy()
  if (verb === 'getIamPolicy' && request.method === 'GET') return HttpResponse.json(wire(current))
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
    .filter((binding) => (binding.members ?? []).length > 0)
    .map((binding) => ({ ...binding, members: [...new Set(binding.members)].sort() }))
  for (const binding of bindings) {
    const reason = refuse(binding)
    if (reason) return googleError('INVALID_ARGUMENT', reason)
  }
  const version = bindings.some((binding) => binding.condition) ? 3 : 1
  const next: IamPolicy = { version, bindings, etag: etagOf(bindings) }
  policies.set(resource, next)
  return HttpResponse.json(wire(next))
}

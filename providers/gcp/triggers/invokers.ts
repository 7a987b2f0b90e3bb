/**
 * Who may call the function's Cloud Run service (roles/run.invoker): allUsers
 * for a public HTTP function, and the service accounts Cloud Scheduler and
 * Pub/Sub sign their requests with. Read-modify-write with the policy's etag,
 * so a concurrent edit is refused (ABORTED, retried) rather than lost.
 */
import type { Rest } from '../rest.ts'
import type { Policy } from './iam-binding.ts'

const INVOKER = 'roles/run.invoker'
export const ALL_USERS = 'allUsers'

export interface InvokerChange {
  /** Members to grant the invoker role. */
  grant: readonly string[]
  /** Members to take it from (only allUsers: cloudfn never removes grants it cannot tell are its own). */
  revoke: readonly string[]
}

/** What the change would do to the service's policy as it is now (a read: getIamPolicy); empty lists: nothing. */
export async function invokerDelta(rest: Rest, service: string, change: InvokerChange) {
  const base = `https://run.googleapis.com/v2/${service}`
  const meta = { resource: service, kind: 'Cloud Run service' }
  const policy = await rest.call<Policy>({ method: 'GET', url: `${base}:getIamPolicy`, operation: 'getIamPolicy', ...meta })
  const bindings = policy.bindings ?? []
  const binding = bindings.find((candidate) => candidate.role === INVOKER && !candidate.condition)
  const before = new Set(binding?.members ?? [])
  const after = new Set([...before, ...change.grant].filter((member) => !change.revoke.includes(member)))
  const granted = [...after].filter((member) => !before.has(member))
  const revoked = [...before].filter((member) => !after.has(member))
  const others = bindings.filter((candidate) => candidate !== binding)
  const next: Policy = {
    ...policy,
    bindings: after.size > 0 ? [...others, { role: INVOKER, members: [...after].sort() }] : others,
  }
  return { granted, revoked, next, base, meta }
}

/** Applies the change; calls `beforeChange` before writing, and only if the policy differs. */
export async function updateInvokers(
  rest: Rest,
  service: string,
  change: InvokerChange,
  beforeChange: () => void,
): Promise<void> {
  const { granted, revoked, next, base, meta } = await invokerDelta(rest, service, change)
  if (granted.length === 0 && revoked.length === 0) return
  beforeChange()
  await rest.call({ method: 'POST', url: `${base}:setIamPolicy`, body: { policy: next }, operation: 'setIamPolicy', ...meta })
}

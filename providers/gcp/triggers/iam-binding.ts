/**
 * Adding one member to one role of a resource's IAM policy, as the
 * `:getIamPolicy` / `:setIamPolicy` methods of Google APIs offer it.
 * Read-modify-write with the policy's etag, so a concurrent edit is refused
 * (ABORTED, retried) rather than lost; nothing is written when the member
 * already has the role, so an unchanged redeploy only reads.
 */
import type { Rest } from '../rest.ts'

export interface Policy {
  version?: number
  etag?: string
  bindings?: Array<{ role: string; members?: string[]; condition?: unknown }>
}

export interface BindingTarget {
  /** The resource's REST URL, to which `:getIamPolicy` and `:setIamPolicy` are appended. */
  url: string
  resource: string
  kind: string
}

export async function ensureBinding(
  rest: Rest,
  target: BindingTarget,
  role: string,
  member: string,
  beforeChange: () => void,
): Promise<void> {
  const meta = { resource: target.resource, kind: target.kind }
  // Version 3 returns conditional bindings as they are; a lower one would mangle them on the way back.
  const policy = await rest.call<Policy>({
    method: 'GET',
    url: `${target.url}:getIamPolicy?options.requestedPolicyVersion=3`,
    operation: 'getIamPolicy',
    ...meta,
  })
  const bindings = policy.bindings ?? []
  // A conditional grant may not hold when Pub/Sub acts, so only an unconditional one counts.
  const binding = bindings.find((candidate) => candidate.role === role && !candidate.condition)
  if (binding?.members?.includes(member)) return
  beforeChange()
  const others = bindings.filter((candidate) => candidate !== binding)
  const members = [...(binding?.members ?? []), member].sort()
  const next: Policy = { ...policy, bindings: [...others, { role, members }] }
  await rest.call({
    method: 'POST',
    url: `${target.url}:setIamPolicy`,
    body: { policy: next },
    operation: 'setIamPolicy',
    ...meta,
  })
}

import { createHash } from 'node:crypto'
import type { PlanResponse } from '../../src/plan.ts'
import { configChange, createFunctionChange, triggerChanges } from '../../src/plan.ts'
import type { PlanRequest } from '../../src/provider.ts'
import type { LocalDeployment } from './store.ts'

/** What the fake keeps as the code hash: the artifact's, or (inline) a hash of the handler's source. */
export function codeHashOf(request: PlanRequest): string {
  return request.artifact?.sha256 ?? createHash('sha256').update(String(request.definition.handler)).digest('hex')
}

export interface LocalDiff {
  codeHash: string
  sameCode: boolean
  sameConfig: boolean
}

/** The one comparison deploy and plan make: an unchanged deploy is one both see as unchanged. */
export function diffLocal(existing: LocalDeployment | undefined, request: PlanRequest): LocalDiff {
  const codeHash = codeHashOf(request)
  // Inline code has no artifact hash; the handler itself must be the same closure.
  const sameCode =
    existing?.record.codeHash === codeHash &&
    (request.artifact !== undefined || existing.definition?.handler === request.definition.handler)
  return { codeHash, sameCode, sameConfig: existing?.record.configHash === request.configHash }
}

/** The changes a deploy of `request` makes over `existing` (the fake replaces the whole deployment, but says what differs). */
export function planLocal(existing: LocalDeployment | undefined, request: PlanRequest): PlanResponse {
  const { name, trigger } = request
  if (!existing)
    return { changes: [createFunctionChange(name, request), ...triggerChanges(name, undefined, trigger)], warnings: [] }
  const { sameCode, sameConfig } = diffLocal(existing, request)
  const changes = [
    ...(sameCode ? [] : [{ kind: 'update-code' as const, resource: `function:${name}`, detail: 'new code' }]),
    ...(sameConfig
      ? []
      : [configChange(name, existing.record, request), ...triggerChanges(name, existing.record.trigger, trigger)]),
  ]
  return { changes, warnings: [] }
}

/**
 * What a deploy checks before its first write, shared with the plan
 * (plan.ts) so `cloud.plan()` refuses exactly what `cloud.deploy()` would,
 * with the same typed error, and sends nothing: the options are checked
 * without I/O, the queue's and topic's owners with reads (GET) only.
 */
import type { PlanRequest } from '../../src/provider.ts'
import { expectString, fail } from '../../src/validation.ts'
import type { ControlPlane } from './control-plane.ts'
import { instanceCounts } from './scale.ts'
import { assertQueueFree } from './triggers/queue-owner.ts'
import { checkBucketOnGcp } from './triggers/storage.ts'
import { assertTopicUsable } from './triggers/topic.ts'

export interface Options {
  maxInstances: number
  minInstances: number
  serviceAccountEmail: string | undefined
}

export function checkOptions(options: Readonly<Record<string, unknown>>, scale: PlanRequest['scale']): Options {
  const field = (key: string) => `providerOptions.gcp.${key}`
  const { maxInstances, minInstances } = instanceCounts(scale, options)
  const email = options.serviceAccountEmail
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(expectString(email, field('serviceAccountEmail'))))
    fail(field('serviceAccountEmail'), 'must be a service account e-mail address')
  return { maxInstances, minInstances, serviceAccountEmail: email as string | undefined }
}

/** Every check, in deploy's order; a refused deploy (or plan) leaves every function and topic as it was. */
export async function checkDeploy(plane: ControlPlane, request: PlanRequest): Promise<Options> {
  const options = checkOptions(request.providerOptions, request.scale)
  checkBucketOnGcp(request.trigger)
  await assertQueueFree(plane, request.name, request.trigger)
  await assertTopicUsable(plane, request.name, request.trigger)
  return options
}

import type { Scenario } from '../scenario.ts'
import { cancellation } from './cancellation.ts'
import { cost } from './cost.ts'
import { errors } from './errors.ts'
import { failureKinds } from './failure-kinds.ts'
import { httpTrigger } from './http-trigger.ts'
import { httpWire } from './http-wire.ts'
import { lifecycle } from './lifecycle.ts'
import { observability } from './observability.ts'
import { payload } from './payload.ts'
import { plan } from './plan.ts'
import { queueOwnership } from './queue-ownership.ts'
import { queueTrigger } from './queue-trigger.ts'
import { runtime } from './runtime.ts'
import { scale } from './scale.ts'
import { scheduleTrigger } from './schedule-trigger.ts'
import { storageTrigger } from './storage-trigger.ts'
import { topicTrigger } from './topic-trigger.ts'
import { triggerValidation } from './trigger-validation.ts'
import { update } from './update.ts'
import { validation } from './validation.ts'

/** Every scenario, in the order the runners report them. */
export const scenarios: readonly Scenario[] = [
  ...lifecycle,
  ...payload,
  ...errors,
  ...failureKinds,
  ...runtime,
  ...update,
  ...plan,
  ...observability,
  ...cost,
  ...validation,
  ...httpTrigger,
  ...httpWire,
  ...scheduleTrigger,
  ...queueTrigger,
  ...queueOwnership,
  ...topicTrigger,
  ...storageTrigger,
  ...triggerValidation,
  ...cancellation,
  ...scale,
]

import type { Scenario } from '../scenario.ts'
import { errors } from './errors.ts'
import { lifecycle } from './lifecycle.ts'
import { observability } from './observability.ts'
import { payload } from './payload.ts'
import { runtime } from './runtime.ts'
import { update } from './update.ts'
import { validation } from './validation.ts'

/** Every scenario, in the order the runners report them. */
export const scenarios: readonly Scenario[] = [
  ...lifecycle,
  ...payload,
  ...errors,
  ...runtime,
  ...update,
  ...observability,
  ...validation,
]

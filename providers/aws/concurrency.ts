import { ConflictError } from '../../src/errors/conflict.ts'
import type { PlanChange } from '../../src/plan.ts'
import type { Warning } from '../../src/provider.ts'
import type { ScaleSettings } from '../../src/scale.ts'
import { type AwsContext, awsCall, control } from './context.ts'

/**
 * `maxInstances` on Lambda is the function's reserved concurrency
 * (PutFunctionConcurrency, `ReservedConcurrentExecutions`, "Valid Range:
 * Minimum value of 0" in the Lambda API reference; Lambda keeps 100 of the
 * account's concurrency unreserved, so with the default quota of 1000 at
 * most 900 can be reserved). Beyond it Invoke answers 429
 * TooManyRequestsException with Reason
 * ReservedFunctionConcurrentInvocationLimitExceeded.
 *
 * `minInstances` would be provisioned concurrency, which Lambda only
 * attaches to a published version or an alias (PutProvisionedConcurrencyConfig
 * requires a `Qualifier`, never $LATEST); cloudfn deploys and invokes
 * $LATEST, so the capability leaves it out and the core warns instead.
 */
export const AWS_SCALE = { maxInstances: { min: 1, max: 1000 } } as const

/**
 * Sets the reservation the deploy asks for, or removes the one cloudfn set
 * (idempotent both ways). Called only for a planned `update-scale` change
 * (see `planReservation`), never to tidy a reservation cloudfn did not set.
 */
export async function syncReservedConcurrency(
  context: AwsContext,
  name: string,
  scale: Readonly<ScaleSettings>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { client, sdk } = await context.clients.lambda()
  const { maxInstances } = scale
  await awsCall(control('deploy', name), async () => {
    if (maxInstances === undefined) {
      await client.send(new sdk.DeleteFunctionConcurrencyCommand({ FunctionName: name }), { abortSignal: signal })
    } else {
      const command = new sdk.PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: maxInstances })
      await client.send(command, { abortSignal: signal })
    }
  })
}

/** The `update-scale` change a deploy makes to the reservation (none when it is as asked), and what it leaves alone. */
export interface ReservationPlan {
  changes: PlanChange[]
  warnings: Warning[]
}

/**
 * What a deploy does to the function's reserved concurrency, from one read
 * (GetFunctionConcurrency), made only when cloudfn asks for a reservation or
 * recorded one (`recorded`, the function's description, record.ts):
 *
 * - asked for and missing (a deploy that stopped after CreateFunction, before
 *   PutFunctionConcurrency, has already written its config hash): set it;
 * - asked for, and the one there is cloudfn's (equal to `recorded`): change it;
 * - no longer asked for and cloudfn's: remove it;
 * - not cloudfn's (absent from or different from the record): an operator's,
 *   often 0, the emergency stop. It is never removed (a deploy without
 *   maxInstances leaves it, with a warning when cloudfn had one recorded),
 *   and a deploy that asks for a different one is refused with a
 *   ConflictError naming it rather than switching the function back on.
 */
export async function planReservation(
  context: AwsContext,
  name: string,
  scale: Readonly<ScaleSettings>,
  recorded: number | undefined,
  signal: AbortSignal | undefined,
): Promise<ReservationPlan> {
  const wanted = scale.maxInstances
  const none: ReservationPlan = { changes: [], warnings: [] }
  if (wanted === undefined && recorded === undefined) return none
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.GetFunctionConcurrencyCommand({ FunctionName: name })
  const current = (await awsCall(control('deploy', name), () => client.send(command, { abortSignal: signal })))
    .ReservedConcurrentExecutions
  const resource = `function:${name}`
  if (current === wanted) return none
  const ours = current === undefined || current === recorded
  if (wanted === undefined) {
    if (ours)
      return { changes: [{ kind: 'update-scale', resource, detail: `remove reserved concurrency ${current}` }], warnings: [] }
    const message = `reserved concurrency ${current} on '${name}' was not set by cloudfn (it set ${recorded}); left in place`
    return { changes: [], warnings: [{ setting: 'maxInstances', message }] }
  }
  if (!ours) {
    throw new ConflictError({
      provider: 'aws',
      isRetryable: false,
      message: `'${name}' has reserved concurrency ${current}, which cloudfn did not set (0 stops the function); cloudfn will not replace it with maxInstances ${wanted}. Remove it (DeleteFunctionConcurrency) or set maxInstances to ${current}, then deploy again`,
    })
  }
  const detail = current === undefined ? `reserved concurrency ${wanted}` : `reserved concurrency ${current} → ${wanted}`
  return { changes: [{ kind: 'update-scale', resource, detail }], warnings: [] }
}

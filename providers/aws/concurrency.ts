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

/** Sets the reservation the deploy asks for, or removes one a previous deploy made (idempotent both ways). */
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

/**
 * Whether the reservation a deploy asks for is in place. The config hash is
 * written when the function is created, before its reservation is set: a
 * deploy that failed in between looks unchanged, so an unchanged deploy that
 * asks for a ceiling reads it (GetFunctionConcurrency) and finishes the job.
 * Without a ceiling nothing is read: an update removes a reservation before it
 * writes the new hash.
 */
export async function reservationInPlace(
  context: AwsContext,
  name: string,
  scale: Readonly<ScaleSettings>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (scale.maxInstances === undefined) return true
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.GetFunctionConcurrencyCommand({ FunctionName: name })
  const current = await awsCall(control('deploy', name), () => client.send(command, { abortSignal: signal }))
  return current.ReservedConcurrentExecutions === scale.maxInstances
}

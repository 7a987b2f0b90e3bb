/**
 * gc on AWS. What cloudfn creates: functions (tagged `cloudfn:managed`, marked
 * in their Description), their log groups (made by Lambda, removed with the
 * function), their trigger resources (schedules named `cloudfn-<function>`,
 * SQS queues tagged `cloudfn:managed`) and one shared execution role (tagged
 * `cloudfn:managed`). A
 * deploy that crashed after creating the role leaves the role alone; one that
 * crashed after CreateFunction leaves a marked function, which a rerun
 * finishes and gc collects once old enough.
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { collect, functionCandidate, type GcCandidate, selectCollectable } from '../../src/gc.ts'
import type { GcOptions, GcResult } from '../../src/provider.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { decodeDescription, toRecord } from './record.ts'
import { EXECUTION_ROLE, EXECUTION_ROLE_NAME, MANAGED_TAG, SQS_EXECUTION_POLICY } from './role.ts'
import { orphanedTriggerResources } from './triggers/gc.ts'

/** Every function of the account and region, cloudfn's or not (the role check needs them all). */
export async function listConfigurations(context: AwsContext, signal: AbortSignal | undefined): Promise<FunctionConfiguration[]> {
  const { client, sdk } = await context.clients.lambda()
  const all: FunctionConfiguration[] = []
  let marker: string | undefined
  do {
    const command = new sdk.ListFunctionsCommand({ Marker: marker, MaxItems: 50 })
    const page = await awsCall(control('list'), () => client.send(command, { abortSignal: signal }))
    all.push(...(page.Functions ?? []))
    marker = page.NextMarker
  } while (marker)
  return all
}

/** Only what cloudfn deployed: its marker is in the description. */
export function isCloudfnFunction(configuration: FunctionConfiguration): boolean {
  return decodeDescription(configuration.Description) !== undefined
}

async function readRole(context: AwsContext) {
  const { client, sdk } = await context.clients.iam()
  try {
    const found = await awsCall(control('gc', EXECUTION_ROLE_NAME), () =>
      client.send(new sdk.GetRoleCommand({ RoleName: EXECUTION_ROLE_NAME })),
    )
    return found.Role
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
}

async function deleteRole(context: AwsContext): Promise<void> {
  const { client, sdk } = await context.clients.iam()
  const at = control('gc', EXECUTION_ROLE_NAME)
  // The next deploy must create the role again, not reuse the cached ARN.
  context.roleArn = undefined
  for (const policy of [...EXECUTION_ROLE.policies, SQS_EXECUTION_POLICY]) {
    try {
      await awsCall(at, () => client.send(new sdk.DetachRolePolicyCommand({ RoleName: EXECUTION_ROLE_NAME, PolicyArn: policy })))
    } catch (error) {
      if (!NotFoundError.isInstance(error)) throw error
    }
  }
  try {
    await awsCall(at, () => client.send(new sdk.DeleteRoleCommand({ RoleName: EXECUTION_ROLE_NAME })))
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
  }
}

export async function collectGarbage(
  context: AwsContext,
  options: GcOptions,
  remove: (name: string) => Promise<unknown>,
  signal: AbortSignal | undefined,
): Promise<GcResult> {
  const all = await listConfigurations(context, signal)
  const functions = all.filter(isCloudfnFunction).map((configuration) => ({
    configuration,
    candidate: functionCandidate(toRecord(configuration), remove),
  }))
  const going = new Set(
    selectCollectable(
      functions.map((entry) => entry.candidate),
      options,
    ),
  )
  const candidates: GcCandidate[] = functions.map((entry) => entry.candidate)
  const names = new Set(all.map((configuration) => configuration.FunctionName ?? ''))
  candidates.push(...(await orphanedTriggerResources(context, names)))
  // The role cloudfn created (never one the settings name): shared, so it goes only when no function that stays uses it.
  const role = context.settings.role ? undefined : await readRole(context)
  if (role?.Tags?.some((tag) => tag.Key === MANAGED_TAG.Key && tag.Value === MANAGED_TAG.Value)) {
    const staying = all.filter((configuration) => {
      const entry = functions.find((f) => f.configuration === configuration)
      return !(entry && going.has(entry.candidate))
    })
    candidates.push({
      resource: `role:${EXECUTION_ROLE_NAME}`,
      changedAt: role.CreateDate?.toISOString(),
      unused: !staying.some((configuration) => configuration.Role === role.Arn),
      remove: () => deleteRole(context),
    })
  }
  return collect(candidates, options)
}

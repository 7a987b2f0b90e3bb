/**
 * gc on AWS. What cloudfn creates: functions (tagged `cloudfn:managed`, marked
 * in their Description), their log groups (made by Lambda, removed with the
 * function), their trigger resources (schedules named `cloudfn-<function>`,
 * SQS queues tagged `cloudfn:managed`, shared SNS topics tagged `cloudfn:shared-topic`,
 * S3 notification entries `cloudfn-<function>` and buckets tagged `cloudfn:shared-bucket`), one shared execution role and the
 * role EventBridge Scheduler assumes (both tagged `cloudfn:managed`). A
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
import { deleteRole, EXECUTION_ROLE, EXECUTION_ROLE_NAME, SCHEDULER_ROLE } from './role.ts'
import { MANAGED_TAG, SCHEDULER_INVOKE_POLICY, SQS_EXECUTION_POLICY, SQS_READ_POLICY, SQS_SEND_POLICY } from './role-policies.ts'
import { orphanedTriggerResources, storageLeftovers } from './triggers/gc.ts'
import { sharedTopicLeftovers } from './triggers/topic.ts'

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

async function readRole(context: AwsContext, name: string) {
  const { client, sdk } = await context.clients.iam()
  try {
    const found = await awsCall(control('gc', name), () => client.send(new sdk.GetRoleCommand({ RoleName: name })))
    return found.Role
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
}

const isManaged = (tags: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined) =>
  tags?.some((tag) => tag.Key === MANAGED_TAG.Key && tag.Value === MANAGED_TAG.Value) === true

/**
 * The account these credentials act in, read off the first ARN that names one
 * (a function of the region, the execution role, the scheduler role: none
 * costs a call of its own); undefined when gc found none of them.
 */
export function accountOf(arns: ReadonlyArray<string | undefined>): string | undefined {
  for (const arn of arns) {
    const account = arn?.split(':')[4]
    if (account && /^\d{12}$/.test(account)) return account
  }
  return undefined
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
  const triggers = await orphanedTriggerResources(context, names)
  candidates.push(...triggers)
  const topics = functions.flatMap(({ configuration }) => {
    const trigger = decodeDescription(configuration.Description)?.trigger
    return trigger?.kind === 'topic' ? [trigger.name] : []
  })
  candidates.push(...(await sharedTopicLeftovers(context, new Set(topics))))
  const goingFunctions = new Set(
    functions.flatMap(({ candidate, configuration }) =>
      going.has(candidate) && configuration.FunctionName ? [configuration.FunctionName] : [],
    ),
  )
  // The role cloudfn created (never one the settings name): shared, so it goes only when no function that stays uses it.
  const role = context.settings.role ? undefined : await readRole(context, EXECUTION_ROLE_NAME)
  const scheduler = await readRole(context, SCHEDULER_ROLE.name)
  const account = accountOf([...all.map((c) => c.FunctionArn), context.settings.role, role?.Arn, scheduler?.Arn])
  const home = { account, region: context.settings.region }
  candidates.push(...(await storageLeftovers(context, names, goingFunctions, options, home)))
  if (role && isManaged(role.Tags)) {
    const staying = all.filter((configuration) => !goingFunctions.has(configuration.FunctionName ?? ''))
    candidates.push({
      resource: `role:${EXECUTION_ROLE_NAME}`,
      changedAt: role.CreateDate?.toISOString(),
      unused: !staying.some((configuration) => configuration.Role === role.Arn),
      remove: () => {
        // The next deploy must create the role again, not reuse the cached ARN.
        context.roleArn = undefined
        // Roles of earlier versions may still have the any-queue policy attached.
        return deleteRole(context, EXECUTION_ROLE, [SQS_READ_POLICY, SQS_SEND_POLICY], [SQS_EXECUTION_POLICY])
      },
    })
  }
  // The scheduler role goes once no schedule stays: an orphan gc keeps (too recent) or one whose function stays.
  if (scheduler && isManaged(scheduler.Tags)) {
    const goingTriggers = new Set(selectCollectable(triggers, options))
    const inUse = triggers.some(
      (trigger) => trigger.kind === 'schedule' && !goingTriggers.has(trigger) && !goingFunctions.has(trigger.functionName),
    )
    candidates.push({
      resource: `role:${SCHEDULER_ROLE.name}`,
      changedAt: scheduler.CreateDate?.toISOString(),
      unused: !inUse,
      remove: () => {
        context.schedulerRoleArn = undefined
        return deleteRole(context, SCHEDULER_ROLE, [SCHEDULER_INVOKE_POLICY])
      },
    })
  }
  return collect(candidates, options)
}

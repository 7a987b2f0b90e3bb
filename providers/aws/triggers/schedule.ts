import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { ScheduleTrigger } from '../../../src/triggers/types.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { refusal, whileRolePropagates } from '../propagation.ts'
import { schedulerRole } from '../role.ts'
import { toAwsCron } from './cron.ts'

/**
 * Schedules cannot carry tags: cloudfn's are known by this prefix (gc finds
 * orphans by it). With portable names (40 characters at most) the result
 * stays within Scheduler's 64.
 */
export const SCHEDULE_PREFIX = 'cloudfn-'
/** Scheduler replaces the context attribute with the tick's time, so the function gets `{ scheduledTime }`. */
export const SCHEDULE_INPUT = '{"scheduledTime":"<aws.scheduler.scheduled-time>"}'

export function scheduleName(functionName: string): string {
  return `${SCHEDULE_PREFIX}${functionName}`
}

const roleNotReady = refusal('ValidationException', /assume the role/i)

/** Creates or replaces the function's schedule in the default group. */
export async function putSchedule(
  context: AwsContext,
  functionName: string,
  functionArn: string,
  trigger: ScheduleTrigger,
): Promise<void> {
  const { client, sdk } = await context.clients.scheduler()
  const at = control('schedule update', functionName)
  const input = {
    Name: scheduleName(functionName),
    ScheduleExpression: toAwsCron(trigger.cron),
    ScheduleExpressionTimezone: trigger.timezone,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: 'ENABLED' as const,
    Description: `cloudfn: runs ${functionName} on ${trigger.expression}`,
    Target: { Arn: functionArn, RoleArn: await schedulerRole(context), Input: SCHEDULE_INPUT },
  }
  const send = async () => {
    try {
      await awsCall(at, () => client.send(new sdk.CreateScheduleCommand(input)))
    } catch (error) {
      // An earlier deploy made it: replace it with what is asked now.
      if ((error as { cause?: { name?: string } }).cause?.name !== 'ConflictException') throw error
      await awsCall(at, () => client.send(new sdk.UpdateScheduleCommand(input)))
    }
  }
  await whileRolePropagates(context, send, roleNotReady)
}

export async function deleteSchedule(context: AwsContext, functionName: string): Promise<void> {
  const { client, sdk } = await context.clients.scheduler()
  try {
    await awsCall(control('schedule removal', functionName), () =>
      client.send(new sdk.DeleteScheduleCommand({ Name: scheduleName(functionName) })),
    )
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
  }
}

export async function hasSchedule(context: AwsContext, functionName: string): Promise<boolean> {
  const { client, sdk } = await context.clients.scheduler()
  try {
    await awsCall(control('schedule lookup', functionName), () =>
      client.send(new sdk.GetScheduleCommand({ Name: scheduleName(functionName) })),
    )
    return true
  } catch (error) {
    if (NotFoundError.isInstance(error)) return false
    throw error
  }
}

/** cloudfn's schedules: the function each runs and when it last changed (gc compares them with the functions that exist). */
export async function listSchedules(
  context: AwsContext,
): Promise<Array<{ functionName: string; changedAt: string | undefined }>> {
  const { client, sdk } = await context.clients.scheduler()
  const found: Array<{ functionName: string; changedAt: string | undefined }> = []
  let token: string | undefined
  do {
    const page = await awsCall(control('gc'), () =>
      client.send(new sdk.ListSchedulesCommand({ NamePrefix: SCHEDULE_PREFIX, NextToken: token })),
    )
    for (const schedule of page.Schedules ?? []) {
      if (!schedule.Name) continue
      found.push({
        functionName: schedule.Name.slice(SCHEDULE_PREFIX.length),
        changedAt: schedule.LastModificationDate?.toISOString(),
      })
    }
    token = page.NextToken
  } while (token)
  return found
}

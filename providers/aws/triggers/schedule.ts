import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { ScheduleTrigger } from '../../../src/triggers/types.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { refusal, whileRolePropagates } from '../propagation.ts'
import { schedulerRole } from '../role.ts'
import { toAwsCron } from './cron.ts'

/** Schedules cannot carry tags: cloudfn's are known by this prefix (gc finds orphans by it). */
export const SCHEDULE_PREFIX = 'cloudfn-'
/** Scheduler's limit on schedule names. */
export const SCHEDULE_NAME_CHARS = 64
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

/** Names of the functions that cloudfn's schedules run (gc compares them with the functions that exist). */
export async function listScheduledFunctions(context: AwsContext): Promise<string[]> {
  const { client, sdk } = await context.clients.scheduler()
  const names: string[] = []
  let token: string | undefined
  do {
    const page = await awsCall(control('gc'), () =>
      client.send(new sdk.ListSchedulesCommand({ NamePrefix: SCHEDULE_PREFIX, NextToken: token })),
    )
    for (const schedule of page.Schedules ?? []) if (schedule.Name) names.push(schedule.Name.slice(SCHEDULE_PREFIX.length))
    token = page.NextToken
  } while (token)
  return names
}

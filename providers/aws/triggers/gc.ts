import type { GcCandidate } from '../../../src/gc.ts'
import type { AwsContext } from '../context.ts'
import { deleteQueue, listManagedQueues } from './queue.ts'
import { deleteSchedule, listSchedules, scheduleName } from './schedule.ts'

/** A trigger resource and the function it was made for (a schedule keeps the scheduler role in use). */
export interface TriggerCandidate extends GcCandidate {
  kind: 'schedule' | 'queue'
  functionName: string
}

/**
 * Trigger resources left by a deploy or remove that stopped half-way:
 * cloudfn's schedules (known by name) and queues (known by tag) whose
 * function no longer exists. A function gc removes takes its own along.
 */
export async function orphanedTriggerResources(context: AwsContext, functions: ReadonlySet<string>): Promise<TriggerCandidate[]> {
  const schedules = (await listSchedules(context)).map(
    ({ functionName, changedAt }): TriggerCandidate => ({
      kind: 'schedule',
      functionName,
      resource: `schedule:${scheduleName(functionName)}`,
      changedAt,
      unused: !functions.has(functionName),
      remove: () => deleteSchedule(context, functionName),
    }),
  )
  const queues = (await listManagedQueues(context)).map(
    ({ name, functionName, changedAt }): TriggerCandidate => ({
      kind: 'queue',
      functionName,
      resource: `queue:${name}`,
      changedAt,
      unused: !functions.has(functionName),
      remove: () => deleteQueue(context, name),
    }),
  )
  return [...schedules, ...queues]
}

/**
 * A schedule trigger is a Cloud Scheduler job `cloudfn-<function>` in the
 * function's region that POSTs to the function's URL with an OIDC token for
 * it. Jobs carry no labels, so the name prefix is what marks them as cloudfn's.
 */
import type { ScheduleTrigger } from '../../../src/triggers/types.ts'
import { type ControlPlane, call } from '../control-plane.ts'
import { locationName } from '../names.ts'
import type { GcpFunction, SchedulerJob } from '../sdk.ts'

export const JOB_PREFIX = 'cloudfn-'
/** HttpMethod.POST in google.cloud.scheduler.v1 (the REST transport sends enums as numbers). */
const POST = 1

export function jobName(plane: ControlPlane, functionName: string): string {
  return `${locationName(plane.location)}/jobs/${JOB_PREFIX}${functionName}`
}

/** HTTP targets allow an attempt deadline of 15 s to 30 min; the function's timeout, within that. */
export function attemptDeadline(timeoutSec: number): { seconds: number } {
  return { seconds: Math.min(1800, Math.max(15, timeoutSec)) }
}

export function jobSpec(plane: ControlPlane, fn: GcpFunction, trigger: ScheduleTrigger, functionName: string): SchedulerJob {
  const uri = fn.serviceConfig?.uri ?? ''
  const serviceAccountEmail = fn.serviceConfig?.serviceAccountEmail ?? ''
  return {
    name: jobName(plane, functionName),
    description: `cloudfn schedule of ${functionName}`,
    // Both are unix-cron: the neutral expression is already numeric and never restricts both day fields.
    schedule: trigger.cron,
    timeZone: trigger.timezone,
    httpTarget: {
      uri,
      httpMethod: POST,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{}'),
      oidcToken: { serviceAccountEmail, audience: uri },
    },
    // A failed tick is in the function's logs; as on the other clouds, it is not run again.
    retryConfig: { retryCount: 0 },
    attemptDeadline: attemptDeadline(fn.serviceConfig?.timeoutSeconds ?? 60),
  }
}

/** Durations come back as `"30s"` from JSON or as `{ seconds }` once decoded. */
const seconds = (value: SchedulerJob['attemptDeadline'] | string) =>
  typeof value === 'string' ? Number.parseFloat(value) : Number(value?.seconds ?? 0)

function sameJob(current: SchedulerJob, wanted: SchedulerJob): boolean {
  const [a, b] = [current.httpTarget, wanted.httpTarget]
  return (
    current.schedule === wanted.schedule &&
    current.timeZone === wanted.timeZone &&
    a?.uri === b?.uri &&
    a?.oidcToken?.serviceAccountEmail === b?.oidcToken?.serviceAccountEmail &&
    a?.oidcToken?.audience === b?.oidcToken?.audience &&
    seconds(current.attemptDeadline) === seconds(wanted.attemptDeadline) &&
    Number(current.retryConfig?.retryCount ?? 0) === 0
  )
}

const isNotFound = (error: unknown) => (error as { code?: string }).code === 'NotFound'

export async function getJob(plane: ControlPlane, name: string): Promise<SchedulerJob | undefined> {
  const client = await plane.scheduler()
  try {
    const [job] = await call('get schedule', name, () => client.getJob({ name }))
    return job
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** Creates or updates the function's job; `beforeChange` runs before the first write, and only if one is needed. */
export async function ensureJob(
  plane: ControlPlane,
  fn: GcpFunction,
  trigger: ScheduleTrigger,
  functionName: string,
  beforeChange: () => void,
): Promise<void> {
  const wanted = jobSpec(plane, fn, trigger, functionName)
  const name = wanted.name as string
  const current = await getJob(plane, name)
  if (current && sameJob(current, wanted)) return
  beforeChange()
  const client = await plane.scheduler()
  if (current) {
    const paths = ['description', 'schedule', 'timeZone', 'httpTarget', 'retryConfig', 'attemptDeadline']
    await call('update schedule', functionName, () => client.updateJob({ job: wanted, updateMask: { paths } }))
    return
  }
  await call('create schedule', functionName, () => client.createJob({ parent: locationName(plane.location), job: wanted }))
}

/** Deletes the job if it exists; resolves with whether it did. */
export async function deleteJob(plane: ControlPlane, name: string): Promise<boolean> {
  const client = await plane.scheduler()
  try {
    await call('delete schedule', name, () => client.deleteJob({ name }))
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

/** Every job in the function's region whose name says cloudfn made it. */
export async function listCloudfnJobs(plane: ControlPlane): Promise<SchedulerJob[]> {
  const client = await plane.scheduler()
  const parent = locationName(plane.location)
  const [jobs] = await call('list schedules', parent, () => client.listJobs({ parent, pageSize: 500 }, { autoPaginate: true }))
  return jobs.filter((job) => (job.name ?? '').split('/').pop()?.startsWith(JOB_PREFIX))
}

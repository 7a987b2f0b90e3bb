import { http } from 'msw'
import { roleAllows } from './iam-policy.ts'
import { enqueueAsync } from './invoke.ts'
import { type EmulatorEnv, route } from './router.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

export interface EmulatedSchedule {
  name: string
  arn: string
  expression: string
  timezone: string
  state: 'ENABLED' | 'DISABLED'
  description: string
  flexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number }
  target: { Arn: string; RoleArn: string; Input?: string }
  createdAt: number
  modifiedAt: number
  /** Stops its ticks on the emulator's clock. */
  stop: () => void
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>'

function validation(message: string): AwsFault {
  return new AwsFault(400, 'ValidationException', message)
}

/** One AWS cron field with weekday numbers moved from 1-7 (SUN=1) to croner's 0-6. */
function weekdays(field: string): string {
  return field.replace(/\d+/g, (day) => String((Number(day) + 6) % 7))
}

/**
 * `cron(min hour dom month dow year)` as the 5-field expression the clock
 * runs. The emulator takes the subset cloudfn writes (numbers, `*`, `?`,
 * lists, ranges, `a/n` steps; any year); `L`, `W`, `#`, rate() and at() are
 * answered as not emulated.
 */
export function clockCron(expression: string): string {
  const match = /^cron\((.+)\)$/.exec(expression.trim())
  const fields = match?.[1]?.trim().split(/\s+/) ?? []
  if (fields.length !== 6) throw validation(`Invalid Schedule Expression ${expression}.`)
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string]
  if ((dom === '?') === (dow === '?')) {
    throw validation(
      `Invalid Schedule Expression ${expression}. Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.`,
    )
  }
  if (year !== '*' || fields.some((field) => /[LW#]/.test(field))) {
    throw validation(`The emulator runs cron() schedules of numbers, *, ?, lists, ranges and steps only (got ${expression})`)
  }
  const steps = (field: string, max: number) => field.replace(/^(\d+)\/(\d+)$/, `$1-${max}/$2`)
  const day = (field: string) => (field === '?' ? '*' : field)
  return [steps(minute, 59), steps(hour, 23), day(steps(dom, 31)), steps(month, 12), day(weekdays(dow))].join(' ')
}

function checkTimezone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone
  } catch {
    throw validation(`Invalid time zone: ${zone}`)
  }
}

/** EventBridge Scheduler (REST JSON) for schedules in the default group, run on the emulator's clock. */
export function schedulerHandlers(env: EmulatorEnv) {
  const { state } = env
  const { region, accountId, clock } = state.options
  const base = `https://scheduler.${region}.amazonaws.com/schedules`

  /** Scheduler invokes its target asynchronously, as a queued event; the clock waits for that run. */
  const fire = (schedule: EmulatedSchedule) => async (at: Date) => {
    const fnName = /function:([^:]+)/.exec(schedule.target.Arn)?.[1]
    const fn = fnName === undefined ? undefined : state.functions.get(fnName)
    if (!fn || schedule.state !== 'ENABLED') return
    // Scheduler invokes as its role; a role that may not invoke this function makes the tick fail, unseen by the function.
    const role = state.roles.get(schedule.target.RoleArn.slice(schedule.target.RoleArn.lastIndexOf('/') + 1))
    if (role && !roleAllows(role, 'lambda:InvokeFunction', fn.arn, fn.tags)) return
    const time = at.toISOString().replace(/\.\d{3}Z$/, 'Z')
    const input = (schedule.target.Input ?? '{}').split(SCHEDULED_TIME).join(time)
    await enqueueAsync(env, fn, input, crypto.randomUUID())
  }

  const save = async (request: Request, name: string, existing: EmulatedSchedule | undefined): Promise<EmulatedSchedule> => {
    const body = await readJson(request)
    const expression = String(body.ScheduleExpression ?? '')
    const cron = clockCron(expression)
    const timezone = checkTimezone(String(body.ScheduleExpressionTimezone ?? 'UTC'))
    const window = body.FlexibleTimeWindow as EmulatedSchedule['flexibleTimeWindow'] | undefined
    if (!window?.Mode) throw validation('FlexibleTimeWindow is required.')
    const target = body.Target as EmulatedSchedule['target'] | undefined
    if (!target?.Arn || !ROLE_ARN.test(target.RoleArn ?? ''))
      throw validation('Target.Arn and a role ARN in Target.RoleArn are required.')
    if (body.GroupName !== undefined && body.GroupName !== 'default') {
      throw new AwsFault(404, 'ResourceNotFoundException', `Schedule group ${String(body.GroupName)} does not exist.`)
    }
    existing?.stop()
    const now = Date.now()
    const schedule: EmulatedSchedule = {
      name,
      arn: `arn:aws:scheduler:${region}:${accountId}:schedule/default/${name}`,
      expression,
      timezone,
      state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      description: String(body.Description ?? ''),
      flexibleTimeWindow: window,
      target,
      createdAt: existing?.createdAt ?? now,
      modifiedAt: now,
      stop: () => {},
    }
    schedule.stop = clock.every({ cron, timezone, fire: fire(schedule) })
    state.schedules.set(name, schedule)
    return schedule
  }

  const find = (name: string): EmulatedSchedule => {
    const schedule = state.schedules.get(name)
    if (!schedule) throw new AwsFault(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`)
    return schedule
  }

  const checkName = (name: string) => {
    if (!NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint`)
    return name
  }

  return [
    http.post(
      `${base}/:schedule`,
      route(env, 'scheduler', 'CreateSchedule', async ({ params, request }) => {
        const name = checkName(params.schedule ?? '')
        if (state.schedules.has(name)) throw new AwsFault(409, 'ConflictException', `Schedule ${name} already exists.`)
        return jsonResponse(200, { ScheduleArn: (await save(request, name, undefined)).arn })
      }),
    ),
    http.put(
      `${base}/:schedule`,
      route(env, 'scheduler', 'UpdateSchedule', async ({ params, request }) => {
        const existing = find(params.schedule ?? '')
        return jsonResponse(200, { ScheduleArn: (await save(request, existing.name, existing)).arn })
      }),
    ),
    http.get(
      `${base}/:schedule`,
      route(env, 'scheduler', 'GetSchedule', async ({ params }) => {
        const schedule = find(params.schedule ?? '')
        return jsonResponse(200, {
          Arn: schedule.arn,
          Name: schedule.name,
          GroupName: 'default',
          ScheduleExpression: schedule.expression,
          ScheduleExpressionTimezone: schedule.timezone,
          State: schedule.state,
          Description: schedule.description,
          FlexibleTimeWindow: schedule.flexibleTimeWindow,
          Target: schedule.target,
          CreationDate: schedule.createdAt / 1000,
          LastModificationDate: schedule.modifiedAt / 1000,
        })
      }),
    ),
    http.delete(
      `${base}/:schedule`,
      route(env, 'scheduler', 'DeleteSchedule', async ({ params }) => {
        const schedule = find(params.schedule ?? '')
        schedule.stop()
        state.schedules.delete(schedule.name)
        return jsonResponse(200, {})
      }),
    ),
    http.get(
      base,
      route(env, 'scheduler', 'ListSchedules', async ({ request }) => {
        const prefix = new URL(request.url).searchParams.get('NamePrefix') ?? ''
        const schedules = [...state.schedules.values()].filter((schedule) => schedule.name.startsWith(prefix))
        return jsonResponse(200, {
          Schedules: schedules.map((schedule) => ({
            Arn: schedule.arn,
            Name: schedule.name,
            GroupName: 'default',
            State: schedule.state,
            CreationDate: schedule.createdAt / 1000,
            LastModificationDate: schedule.modifiedAt / 1000,
            Target: { Arn: schedule.target.Arn },
          })),
        })
      }),
    ),
  ]
}

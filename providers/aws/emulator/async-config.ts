/**
 * Lambda's asynchronous invocation configuration
 * (Put/Update/Get/DeleteFunctionEventInvokeConfig, API version 2019-09-25):
 * how often a failed asynchronous event is retried (0–2) and the on-failure
 * destination its invocation record goes to once the retries are used up
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 * Only SQS destinations are modelled; invoke.ts's event queue applies them.
 */
import { http } from 'msw'
import { findFunction } from './functions.ts'
import { roleAllows } from './iam-policy.ts'
import type { EmulatedFunction, EventInvokeConfig } from './model.ts'
import { type EmulatorEnv, route } from './router.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

function invalid(message: string): AwsFault {
  return new AwsFault(400, 'InvalidParameterValueException', message)
}

function view(fn: EmulatedFunction, config: EventInvokeConfig) {
  return {
    LastModified: config.lastModified / 1000,
    FunctionArn: `${fn.arn}:$LATEST`,
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: { OnSuccess: {}, OnFailure: config.onFailure ? { Destination: config.onFailure } : {} },
  }
}

/** The API's ranges (API reference, PutFunctionEventInvokeConfig): retries 0–2, event age 60–21600 s. */
function configOf(env: EmulatorEnv, fn: EmulatedFunction, body: Record<string, unknown>, base?: EventInvokeConfig) {
  const retries = body.MaximumRetryAttempts ?? base?.maximumRetryAttempts
  if (retries !== undefined && !(Number.isInteger(retries) && (retries as number) >= 0 && (retries as number) <= 2)) {
    throw invalid(
      `1 validation error detected: Value '${String(retries)}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2`,
    )
  }
  const age = body.MaximumEventAgeInSeconds ?? base?.maximumEventAgeInSeconds
  if (age !== undefined && !(Number.isInteger(age) && (age as number) >= 60 && (age as number) <= 21_600)) {
    throw invalid(
      `1 validation error detected: Value '${String(age)}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must be between 60 and 21600`,
    )
  }
  const destinations = body.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined
  const onFailure = destinations === undefined ? base?.onFailure : destinations.OnFailure?.Destination || undefined
  if (onFailure !== undefined) {
    const queue = env.state.queueByArn(onFailure)
    if (!queue) throw invalid(`The destination ARN ${onFailure} is invalid.`)
    // Lambda sends the record with the function's execution role, and checks that it may; the wording is Lambda's
    // for a dead-letter queue the role cannot send to, as reported from AWS in elastic/beats#13963.
    const role = env.state.roles.get(fn.live.config.role.slice(fn.live.config.role.lastIndexOf('/') + 1))
    if (role && !roleAllows(role, 'sqs:SendMessage', queue.arn, queue.tags)) {
      throw invalid('The provided execution role does not have permissions to call SendMessage on SQS')
    }
  }
  return {
    maximumRetryAttempts: retries as number | undefined,
    maximumEventAgeInSeconds: age as number | undefined,
    onFailure,
    lastModified: Date.now(),
  }
}

export function asyncConfigHandlers(env: EmulatorEnv, base: string) {
  const path = `${base}/2019-09-25/functions/:name/event-invoke-config`
  const notFound = (fn: EmulatedFunction) =>
    new AwsFault(404, 'ResourceNotFoundException', `The function ${fn.arn} doesn't have an EventInvokeConfig`)
  /** Put replaces the whole configuration (what it leaves out is reset); Update changes only the fields it names. */
  const write = (operation: string, merge: boolean) =>
    route(env, 'rest-json', operation, async ({ params, request }) => {
      const fn = findFunction(env, params.name)
      fn.eventInvokeConfig = configOf(env, fn, await readJson(request), merge ? fn.eventInvokeConfig : undefined)
      return jsonResponse(200, view(fn, fn.eventInvokeConfig))
    })
  /** Get and Delete: the function's configuration, or the 404 Lambda answers when it has none. */
  const existing = (name: string | undefined) => {
    const fn = findFunction(env, name)
    if (!fn.eventInvokeConfig) throw notFound(fn)
    return { fn, config: fn.eventInvokeConfig }
  }
  return [
    http.put(path, write('PutFunctionEventInvokeConfig', false)),
    http.post(path, write('UpdateFunctionEventInvokeConfig', true)),
    http.get(
      path,
      route(env, 'rest-json', 'GetFunctionEventInvokeConfig', async ({ params }) => {
        const { fn, config } = existing(params.name)
        return jsonResponse(200, view(fn, config))
      }),
    ),
    http.delete(
      path,
      route(env, 'rest-json', 'DeleteFunctionEventInvokeConfig', async ({ params }) => {
        existing(params.name).fn.eventInvokeConfig = undefined
        return jsonResponse(204, undefined)
      }),
    ),
  ]
}

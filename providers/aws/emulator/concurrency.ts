import { http } from 'msw'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { findFunction } from './functions.ts'
import type { EmulatedFunction } from './model.ts'
import { type EmulatorEnv, route } from './router.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

/**
 * Reserved concurrency, as the Lambda API reference and the SDK's model
 * (@aws-sdk/client-lambda) describe it: PutFunctionConcurrency
 * (`PUT /2017-10-31/functions/{FunctionName}/concurrency`, body
 * `{ ReservedConcurrentExecutions }`, an integer of at least 0, answered with
 * the same object), DeleteFunctionConcurrency (`DELETE` on that path, 204)
 * and GetFunctionConcurrency (`GET /2019-09-30/...`, `{}` when none is set).
 * GetFunction reports it as `Concurrency`. The reservation caps the
 * function's executions at once, every invocation type included; one more
 * is refused with 429 TooManyRequestsException, Reason
 * ReservedFunctionConcurrentInvocationLimitExceeded (the SDK's ThrottleReason
 * enum; Invoke's documentation: "function level"). 0 stops every invocation.
 * Not modelled: the account check ("decreases account's
 * UnreservedConcurrentExecution below its minimum value of [100]"), as the
 * emulator has no account-wide concurrency.
 */

/** The reservation is full: the invocation did not start. */
export class ReservedConcurrencyExceeded extends ThrottledError {}

interface Reservation {
  reservedConcurrency?: number | undefined
  /** Executions of any version running now. */
  inFlight?: number | undefined
}

const reservationOf = (fn: EmulatedFunction) => fn as EmulatedFunction & Reservation

/** Takes a slot of the function's reservation for one execution; the returned function gives it back. */
export function admit(fn: EmulatedFunction): () => void {
  const held = reservationOf(fn)
  const inFlight = held.inFlight ?? 0
  if (held.reservedConcurrency !== undefined && inFlight >= held.reservedConcurrency) {
    throw new ReservedConcurrencyExceeded({
      provider: 'aws',
      message: `Function '${fn.name}' is at its reserved concurrency of ${held.reservedConcurrency}`,
    })
  }
  held.inFlight = inFlight + 1
  let released = false
  return () => {
    if (released) return
    released = true
    held.inFlight = (held.inFlight ?? 1) - 1
  }
}

/** GetFunction's `Concurrency` member, present only when a reservation is set. */
export function concurrencyOf(fn: EmulatedFunction): Record<string, unknown> {
  const reserved = reservationOf(fn).reservedConcurrency
  return reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }
}

function readReservation(body: Record<string, unknown>): number {
  const value = body.ReservedConcurrentExecutions
  if (value === undefined || value === null) {
    throw new AwsFault(
      400,
      'ValidationException',
      "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null",
    )
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsFault(400, 'SerializationException', 'Could not parse request body into json')
  }
  if (value < 0) {
    throw new AwsFault(
      400,
      'ValidationException',
      `1 validation error detected: Value '${value}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
    )
  }
  return value
}

export function concurrencyHandlers(env: EmulatorEnv, base: string) {
  return [
    http.put(
      `${base}/2017-10-31/functions/:name/concurrency`,
      route(env, 'rest-json', 'PutFunctionConcurrency', async ({ params, request }) => {
        const fn = findFunction(env, params.name)
        const reserved = readReservation(await readJson(request))
        reservationOf(fn).reservedConcurrency = reserved
        return jsonResponse(200, { ReservedConcurrentExecutions: reserved })
      }),
    ),
    http.delete(
      `${base}/2017-10-31/functions/:name/concurrency`,
      route(env, 'rest-json', 'DeleteFunctionConcurrency', async ({ params }) => {
        reservationOf(findFunction(env, params.name)).reservedConcurrency = undefined
        return jsonResponse(204, undefined)
      }),
    ),
    http.get(
      `${base}/2019-09-30/functions/:name/concurrency`,
      route(env, 'rest-json', 'GetFunctionConcurrency', async ({ params }) => {
        const reserved = reservationOf(findFunction(env, params.name)).reservedConcurrency
        return jsonResponse(200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved })
      }),
    ),
  ]
}

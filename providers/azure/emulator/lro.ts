import { randomUUID } from 'node:crypto'
import type { AzureFaults } from './faults.ts'
import { armError, json } from './http.ts'

interface Operation {
  mode: 'async-operation' | 'location'
  remainingPolls: number
  error: { code: string; message: string } | undefined
  /** Applies the change when the operation succeeds; returns the resource body (location mode answers with it). */
  complete: () => unknown
  /** Undoes what the start made visible when the operation fails. */
  failed: (() => void) | undefined
  result: { body: unknown } | undefined
}

/**
 * Long-running ARM operations as Azure runs them: the first answer is 201/202
 * with `Azure-AsyncOperation` or `Location` and `Retry-After`; the change
 * becomes visible only when a poll finds the operation finished.
 */
export class LongRunningOperations {
  readonly #operations = new Map<string, Operation>()
  readonly #faults: AzureFaults
  readonly #polls: number
  readonly #retryAfterSec: number

  constructor(faults: AzureFaults, settings: { polls: number; retryAfterSec: number }) {
    this.#faults = faults
    this.#polls = settings.polls
    this.#retryAfterSec = settings.retryAfterSec
  }

  /** Starts an operation and returns the first answer. */
  start(
    request: Request,
    mode: Operation['mode'],
    status: 201 | 202,
    body: unknown,
    subscription: string,
    complete: () => unknown,
    failed?: () => void,
  ): Response {
    const fault = this.#faults.takeLro()
    const id = randomUUID()
    this.#operations.set(id, {
      mode,
      remainingPolls: fault.polls ?? this.#polls,
      error: fault.error,
      complete,
      failed,
      result: undefined,
    })
    const origin = new URL(request.url).origin
    const url = `${origin}/subscriptions/${subscription}/providers/Microsoft.Web/locations/emulated/operationResults/${id}?api-version=2024-11-01`
    const headers: Record<string, string> = { 'retry-after': String(this.#retryAfterSec) }
    if (mode === 'async-operation') headers['azure-asyncoperation'] = url
    else headers.location = url
    return body === undefined ? new Response(null, { status, headers }) : json(body, status, headers)
  }

  poll(id: string): Response {
    const operation = this.#operations.get(id)
    if (!operation) return armError(404, 'OperationNotFound', `The operation '${id}' was not found.`)
    const retry = { 'retry-after': String(this.#retryAfterSec) }
    if (operation.remainingPolls > 0 && !operation.result) {
      operation.remainingPolls--
      return operation.mode === 'location' ? new Response(null, { status: 202, headers: retry }) : json({ status: 'InProgress' })
    }
    if (operation.error) {
      const error = operation.error
      operation.failed?.()
      operation.failed = undefined
      return operation.mode === 'location' ? armError(400, error.code, error.message) : json({ status: 'Failed', error })
    }
    operation.result ??= { body: operation.complete() }
    return operation.mode === 'location' ? json(operation.result.body) : json({ status: 'Succeeded' })
  }
}

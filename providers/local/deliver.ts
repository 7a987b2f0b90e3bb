import { randomUUID } from 'node:crypto'
import type { QueuedMessage } from '../../src/sandbox/delivery-queue.ts'
import type { RunOutcome } from './runner.ts'

/** Runs one execution of a deployed function with a payload (LocalTriggers' `execute`). */
export type Execute = (name: string, payload: string, executionId: string) => Promise<RunOutcome>

/**
 * The `deliver` of a DeliveryQueue feeding function `name`, as queues, topics
 * and buckets share it: each message is one execution, and the ids of those
 * that failed (an error envelope, or the execution could not run) are
 * delivered again, as the clouds redeliver what a function did not complete.
 */
export function deliverTo(execute: Execute, name: string): (batch: readonly QueuedMessage[]) => Promise<string[]> {
  return async (batch) => {
    const outcomes = await Promise.all(
      batch.map(async (message) => {
        try {
          const { envelope } = await execute(name, message.body, randomUUID())
          return (JSON.parse(envelope) as { ok: boolean }).ok ? undefined : message.id
        } catch {
          return message.id
        }
      }),
    )
    return outcomes.filter((id): id is string => id !== undefined)
  }
}

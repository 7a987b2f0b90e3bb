import { abortableSleep } from '../../src/retry.ts'
import type { AwsContext } from './context.ts'

/**
 * A new IAM role (or a policy newly attached to one) takes 5–30 s before
 * the services that use it see it. That wait is longer than the core's
 * retries allow for, so the call is repeated here while `isPropagating`
 * recognises the service's refusal.
 */
export async function whileRolePropagates<T>(
  context: AwsContext,
  call: () => Promise<T>,
  isPropagating: (cause: unknown) => boolean,
): Promise<T> {
  const { pollIntervalMs, readyTimeoutMs } = context.settings
  const deadline = Date.now() + Math.min(readyTimeoutMs, 120_000)
  for (;;) {
    try {
      return await call()
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      if (!isPropagating(cause) || Date.now() >= deadline) throw error
      await abortableSleep(Math.max(pollIntervalMs, 1) * 2)
    }
  }
}

/** `name` and a message matching `pattern`: how AWS services say a role cannot be used yet. */
export function refusal(name: string, pattern: RegExp): (cause: unknown) => boolean {
  return (cause) => {
    const shape = cause as { name?: string; message?: string } | undefined
    return shape?.name === name && pattern.test(shape.message ?? '')
  }
}

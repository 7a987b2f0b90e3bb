import { TimeoutError } from '../errors/timeout.ts'

/** Resolves as `work` does, or rejects with `TimeoutError` when the function's time runs out. */
export function withTimeout<T>(
  work: Promise<T>,
  settings: { provider: string; name: string; timeoutSec: number },
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.()
      reject(
        new TimeoutError({
          provider: settings.provider,
          timeoutSec: settings.timeoutSec,
          message: `Function '${settings.name}' timed out after ${settings.timeoutSec} s; raise timeoutSec or make it faster`,
        }),
      )
    }, settings.timeoutSec * 1000)
    work.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}

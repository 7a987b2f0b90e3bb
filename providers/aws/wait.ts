import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { pollPace } from '../../src/poll-pace.ts'
import { abortableSleep } from '../../src/retry.ts'
import { type AwsContext, awsCall, control } from './context.ts'

/** The function's configuration, or undefined when it does not exist. */
export async function getConfiguration(
  context: AwsContext,
  name: string,
  signal?: AbortSignal,
): Promise<FunctionConfiguration | undefined> {
  const { client, sdk } = await context.clients.lambda()
  try {
    return await awsCall(control('get', name), () =>
      client.send(new sdk.GetFunctionConfigurationCommand({ FunctionName: name }), { abortSignal: signal }),
    )
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
}

/** Ready for invokes and further updates: Active with no update in progress. */
export function isSettled(configuration: FunctionConfiguration): boolean {
  return configuration.State === 'Active' && configuration.LastUpdateStatus !== 'InProgress'
}

/**
 * Polls until the function is Active with its last update Successful, as the
 * SDK's FunctionActiveV2 / FunctionUpdatedV2 waiters do, at the provider's own
 * interval after a few quicker first polls (src/poll-pace.ts), so that tests
 * against the emulator need not wait seconds.
 */
export async function waitUntilSettled(context: AwsContext, name: string, signal?: AbortSignal): Promise<FunctionConfiguration> {
  const { pollIntervalMs, readyTimeoutMs } = context.settings
  const deadline = Date.now() + readyTimeoutMs
  const pace = pollPace(pollIntervalMs)
  for (;;) {
    const configuration = await getConfiguration(context, name, signal)
    if (!configuration) {
      throw new NotFoundError({ provider: 'aws', resource: name, message: `Function '${name}' disappeared while deploying` })
    }
    if (configuration.State === 'Failed' || configuration.LastUpdateStatus === 'Failed') {
      const reason = configuration.LastUpdateStatusReason ?? configuration.StateReason ?? 'no reason given'
      throw new ProviderError({
        provider: 'aws',
        isRetryable: false,
        message: `Lambda could not make '${name}' ready: ${reason}`,
      })
    }
    if (isSettled(configuration)) return configuration
    if (Date.now() >= deadline) {
      throw new ProviderError({
        provider: 'aws',
        message: `'${name}' was not ready after ${readyTimeoutMs} ms (state ${configuration.State}, last update ${configuration.LastUpdateStatus ?? 'none'})`,
      })
    }
    await abortableSleep(pace(), signal)
  }
}

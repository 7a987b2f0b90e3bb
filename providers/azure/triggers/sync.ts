/**
 * Azure's trigger sync: after a package is published, the host is told to
 * reread its functions (`syncfunctiontriggers`), then ARM is polled until it
 * lists every function the trigger needs. The queue a queue trigger reads is
 * made before the site changes (triggers/queue.ts), so the host never starts
 * listening to a queue that is not there.
 */
import { ProviderError } from '../../../src/errors/provider-error.ts'
import { pollPace } from '../../../src/poll-pace.ts'
import { abortableSleep } from '../../../src/retry.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import { EXTENSION_BUNDLE, functionsFor } from '../constants.ts'
import type { AzureContext } from '../context.ts'
import { armCall } from '../errors.ts'
import { hostStatusReader } from '../host-status.ts'
import { syncStorage } from './storage.ts'
import { syncTopic } from './topic.ts'

/** Tells the host its package changed and waits until every function of `trigger` is listed. */
export async function syncTriggers(
  context: AzureContext,
  app: string,
  trigger: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  await armCall('syncing the triggers of', `app '${app}'`, () => syncFunctionTriggers(context, app, signal))
  await waitForFunctions(context, app, functionsFor(trigger), signal)
}

/**
 * After the host lists the functions (and on a change of settings alone): what
 * delivers to them outside the app follows the trigger. A topic subscriber's
 * event subscription (and a storage subscriber's, on the account's system topic)
 * can only be made once its Event Grid function is listed.
 */
export async function syncEventSources(
  context: AzureContext,
  app: string,
  name: string,
  trigger: Trigger | undefined,
  previous: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  await syncTopic(context, app, name, trigger, previous, signal)
  await syncStorage(context, app, name, trigger, previous, signal)
}

/**
 * Waits until ARM lists every function of the app (the host has loaded the
 * new package). A function the host puts in error is never listed: a queue
 * trigger without the extension bundle, or a package that throws while it
 * loads, so the deploy fails naming what is missing instead of reporting a
 * trigger that will never run.
 */
async function waitForFunctions(
  context: AzureContext,
  app: string,
  expected: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const { web } = await context.sdk.clients()
  const { resourceGroup, readyTimeoutMs, pollIntervalMs } = context.settings
  const deadline = Date.now() + readyTimeoutMs
  const hostStatus = hostStatusReader(context, app, signal)
  const pace = pollPace(pollIntervalMs)
  for (;;) {
    const names: string[] = []
    await armCall('listing the functions', `app '${app}'`, async () => {
      // ARM names a function `APP/NAME`.
      for await (const fn of web.webApps.listFunctions(resourceGroup, app, { abortSignal: signal })) {
        names.push((fn.name ?? '').split('/').at(-1) ?? '')
      }
    })
    const missing = expected.filter((name) => !names.some((listed) => listed.toLowerCase() === name.toLowerCase()))
    if (missing.length === 0) return
    // A host that lists nothing may be in error (the package failed to load): its status says why, no need to wait.
    const status = names.length === 0 ? await hostStatus() : undefined
    if (status?.state === 'Error') {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: false,
        message: `The app '${app}' was deployed but its host is in error: ${(status.errors ?? []).join('; ') || 'no reason given'}`,
      })
    }
    if (Date.now() > deadline) {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: false,
        message: `The app '${app}' was deployed but its host did not list the function${missing.length > 1 ? 's' : ''} ${missing.map((name) => `'${name}'`).join(', ')} within ${readyTimeoutMs} ms. The host leaves out a function it cannot load: a queue trigger needs host.json's extensionBundle (${EXTENSION_BUNDLE.id}), and a package that fails while loading lists nothing (see the app's logs)`,
      })
    }
    await abortableSleep(pace(), signal)
  }
}

/**
 * `POST .../syncfunctiontriggers`. The REST spec (and so `@azure/arm-appservice`)
 * expects 204, but the real service answers 200 (Azure/azure-rest-api-specs#1275,
 * Azure/azure-sdk-for-js#16996, Azure/azure-sdk-for-net#37918), on which the SDK
 * throws (its error deserializer fails on the empty body). The raw status
 * decides: any 2xx is a success.
 */
export async function syncFunctionTriggers(context: AzureContext, app: string, signal: AbortSignal | undefined): Promise<void> {
  const { web } = await context.sdk.clients()
  let status: number | undefined
  try {
    await web.webApps.syncFunctionTriggers(context.settings.resourceGroup, app, {
      abortSignal: signal,
      onResponse: (response) => {
        status = response.status
      },
    })
  } catch (error) {
    if (status !== undefined && status >= 200 && status < 300) return
    throw error
  }
}

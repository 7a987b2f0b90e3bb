import { ProviderError } from '../../src/errors/provider-error.ts'
import { FUNCTION_NAME } from './constants.ts'
import type { AzureContext } from './context.ts'
import { armCall } from './errors.ts'

/**
 * The function's default key. ARM answers `listkeys` with a flat map
 * (`{ "default": "..." }`) although the SDK models a StringDictionary with
 * `properties`, whose deserializer drops the flat fields: read the raw body
 * too. The host's default key also opens every function of the app.
 */
export async function readFunctionKey(context: AzureContext, app: string, signal: AbortSignal | undefined): Promise<string> {
  const { web } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  let raw: unknown
  const listed = await armCall('reading the keys of', `app '${app}'`, () =>
    web.webApps.listFunctionKeys(resourceGroup, app, FUNCTION_NAME, {
      abortSignal: signal,
      onResponse: (response) => {
        raw = (response as { parsedBody?: unknown }).parsedBody
      },
    }),
  )
  const flat = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const key = listed.properties?.default ?? (typeof flat.default === 'string' ? flat.default : undefined)
  if (key) return key
  const host = await armCall('reading the host keys of', `app '${app}'`, () =>
    web.webApps.listHostKeys(resourceGroup, app, { abortSignal: signal }),
  )
  const hostKey = host.functionKeys?.default
  if (!hostKey)
    throw new ProviderError({
      provider: 'azure',
      isRetryable: false,
      message: `The app '${app}' has no function key to call it with`,
    })
  return hostKey
}

import type { AzureContext } from './context.ts'
import { armCall } from './errors.ts'
import { functionUrl } from './names.ts'

export interface HostStatus {
  state?: string
  errors?: string[]
}

/**
 * Reads the function host's status (`GET https://APP.azurewebsites.net/admin/host/status`
 * with the master key, Azure/azure-functions-host `HostController`): `Running`,
 * or `Error` with the errors that stopped it, e.g. a package that throws while
 * loading. Best effort: undefined when the host does not answer it.
 */
export function hostStatusReader(context: AzureContext, app: string, signal: AbortSignal | undefined) {
  let masterKey: Promise<string | undefined> | undefined
  return async (): Promise<HostStatus | undefined> => {
    masterKey ??= (async () => {
      const { web } = await context.sdk.clients()
      const keys = await armCall('reading the host keys of', `app '${app}'`, () =>
        web.webApps.listHostKeys(context.settings.resourceGroup, app, { abortSignal: signal }),
      )
      return keys.masterKey
    })()
    const key = await masterKey
    if (!key) return undefined
    try {
      const response = await fetch(new URL('/admin/host/status', functionUrl(app)), {
        headers: { 'x-functions-key': key },
        signal,
      })
      if (!response.ok) {
        await response.body?.cancel()
        return undefined
      }
      return (await response.json()) as HostStatus
    } catch {
      return undefined
    }
  }
}

/** Test helper: changes a package on its way to OneDeploy, as if the artifact had been built differently. */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import { HttpResponse, http } from 'msw'
import { scm } from '../emulator/scm.ts'
import type { Kit } from './test-kit.ts'

/** Rewrites host.json of every package published while the kit runs. */
export function rewriteHostJson(kit: Kit, change: (hostJson: Record<string, unknown>) => Record<string, unknown>): void {
  kit.server.use(
    http.post(/^https:\/\/[a-z0-9-]+\.scm\.azurewebsites\.net\/api\/publish$/i, async ({ request }) => {
      const site = kit.emulator.state.site(new URL(request.url).hostname.split('.')[0] ?? '')
      if (!site) return new HttpResponse('Not Found', { status: 404 })
      const files = unzipSync(new Uint8Array(await request.arrayBuffer()))
      const hostJson = JSON.parse(strFromU8(files['host.json'] ?? strToU8('{}'))) as Record<string, unknown>
      files['host.json'] = strToU8(JSON.stringify(change(hostJson)))
      const body = zipSync(files)
      const headers = { 'content-type': 'application/zip' }
      return scm(kit.emulator.state, site, new Request(request.url, { method: 'POST', headers, body }), '/api/publish')
    }),
  )
}

/** host.json without its extension bundle. */
export function withoutBundle(hostJson: Record<string, unknown>): Record<string, unknown> {
  const { extensionBundle: _, ...rest } = hostJson
  return rest
}

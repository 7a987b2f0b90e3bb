import { googleError } from './google-errors.ts'
import type { GcpEmulatorState } from './state.ts'

/**
 * The signed upload URL on storage.googleapis.com: accepts one PUT of a zip
 * to an object `generateUploadUrl` handed out. A signed URL carries its own
 * credentials, so a request that also sends Authorization is refused.
 */
export function createUploadHost(state: GcpEmulatorState) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const key = decodeURIComponent(url.pathname.slice(1))
    if (request.method !== 'PUT')
      return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed on a signed upload URL`)
    if (!state.uploads.has(key) || url.searchParams.get('Signature') === null) {
      return googleError('PERMISSION_DENIED', 'The signed URL is not valid for this object.')
    }
    if (request.headers.get('authorization')) {
      return googleError('INVALID_ARGUMENT', 'Cannot use a signed URL together with an Authorization header.')
    }
    if (request.headers.get('content-type') !== 'application/zip') {
      return googleError(
        'PERMISSION_DENIED',
        'The request signature does not match: the URL was signed for content-type application/zip.',
      )
    }
    state.uploads.set(key, new Uint8Array(await request.arrayBuffer()))
    return new Response(null, { status: 200 })
  }
}

import type { AuthClient } from 'google-auth-library'
import { mapControlPlaneError } from './errors.ts'
import { retryGcpRequest } from './request-retry.ts'

/**
 * JSON over HTTPS to the Google APIs that have no client installed here
 * (Cloud Run Admin, Pub/Sub): google-auth-library's authenticated request,
 * which adds the access token and speaks plain fetch (so msw sees it).
 */
export interface Rest {
  /** Resolves with the parsed answer, or undefined for a 404 when `absentOk`; other failures become cloudfn errors. */
  call<T>(request: RestRequest): Promise<T>
  call<T>(request: RestRequest & { absentOk: true }): Promise<T | undefined>
}

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  body?: unknown
  /** For messages: what was being done, to which resource, of which kind. */
  operation: string
  resource: string
  kind: string
  absentOk?: boolean
  /** The caller's signal: an abort abandons the request (gaxios passes it to fetch). */
  signal?: AbortSignal | undefined
}

type Requester = {
  request<T>(options: { url: string; method: string; data?: unknown; signal?: AbortSignal }): Promise<{ data: T }>
}

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

export function lazyRest(authClient: AuthClient | undefined): Rest {
  let pending: Promise<Requester> | undefined
  const requester = () => {
    pending ??= authClient
      ? Promise.resolve(authClient as unknown as Requester)
      : import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: [SCOPE] }) as unknown as Requester)
    return pending
  }
  return {
    async call<T>(request: RestRequest): Promise<T | undefined> {
      const client = await requester()
      try {
        // Each request is retried on its own first (request-retry.ts).
        const response = await retryGcpRequest(
          () =>
            client.request<T>({
              url: request.url,
              method: request.method,
              ...(request.body === undefined ? {} : { data: request.body }),
              ...(request.signal === undefined ? {} : { signal: request.signal }),
            }),
          (error) => mapControlPlaneError(error, request.operation, request.resource, request.kind),
        )
        return response.data
      } catch (error) {
        const mapped = mapControlPlaneError(error, request.operation, request.resource, request.kind)
        if (request.absentOk && mapped.code === 'NotFound') return undefined
        throw mapped
      }
    },
  } as Rest
}

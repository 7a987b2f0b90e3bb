import { ConflictError } from '../../src/errors/conflict.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { parseRetryAfter } from '../../src/network.ts'
import { pollPace } from '../../src/poll-pace.ts'
import { abortableSleep, isTransientStatus, retryRequest } from '../../src/retry.ts'
import { scmOrigin } from './names.ts'

export interface PublishOptions {
  app: string
  zip: Uint8Array
  token: () => Promise<string>
  pollIntervalMs: number
  timeoutMs: number
  signal: AbortSignal | undefined
}

interface KuduDeployment {
  status?: number
  complete?: boolean
  message?: string
}

const DEPLOY_SUCCESS = 4
const DEPLOY_FAILED = 3

/** One call to the app's Kudu (scm) site, with its failures mapped. The bearer token never appears in errors. */
async function scmFetch(app: string, what: string, url: string, init: RequestInit, token: string): Promise<Response> {
  let response: Response
  try {
    // Each Kudu request (the OneDeploy upload and every status poll) is retried on its own: a transient fault on
    // one used to fail, and restart, the whole deploy. The body is a Uint8Array, so it can be sent again.
    const signal = init.signal as AbortSignal | undefined
    response = await retryRequest(
      () =>
        fetch(url, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        }),
      {
        retryable: () => !signal?.aborted,
        retryableAnswer: (answer) => {
          if (!isTransientStatus(answer.status)) return false
          // Sent again: this answer is dropped (the last one is returned whole).
          void answer.body?.cancel()
          return true
        },
        retryAfterMs: (outcome) => parseRetryAfter((outcome as Partial<Response>).headers?.get('retry-after')),
        signal,
      },
    )
  } catch (error) {
    if ((init.signal as AbortSignal | undefined)?.aborted) throw error
    throw new ProviderError({
      provider: 'azure',
      cause: error,
      message: `${what} of '${app}' failed on the network; it will be retried`,
    })
  }
  if (response.ok) return response
  const status = response.status
  await response.body?.cancel()
  const base = { provider: 'azure' }
  if (status === 401 || status === 403) {
    throw new UnauthorizedError({
      ...base,
      message: `Kudu refused ${what} of '${app}' (HTTP ${status}); the credential needs Contributor on the app`,
    })
  }
  if (status === 404)
    throw new NotFoundError({ ...base, resource: app, message: `${what}: the app '${app}' was not found on its scm site` })
  if (status === 409) throw new ConflictError({ ...base, message: `${what} of '${app}': another deployment is in progress` })
  if (status === 429) {
    throw new ThrottledError({
      ...base,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      message: `Kudu throttled ${what} of '${app}'`,
    })
  }
  throw new ProviderError({
    ...base,
    status,
    isRetryable: status >= 500,
    message: `${what} of '${app}' failed with HTTP ${status}`,
  })
}

/**
 * Uploads the package with OneDeploy (`POST /api/publish`, what Flex
 * Consumption requires) and waits for the deployment to finish: a 202 is
 * polled at its `Location` (or `/api/deployments/latest`) until Kudu reports
 * success (4) or failure (3).
 */
export async function publishPackage(options: PublishOptions): Promise<void> {
  const { app, signal } = options
  const origin = scmOrigin(app)
  const response = await scmFetch(
    app,
    'the package upload',
    `${origin}/api/publish?RemoteBuild=false`,
    { method: 'POST', headers: { 'content-type': 'application/zip' }, body: options.zip, signal },
    await options.token(),
  )
  if (response.status !== 202) {
    await response.body?.cancel()
    return
  }
  const location = response.headers.get('location') ?? `${origin}/api/deployments/latest`
  const deadline = Date.now() + options.timeoutMs
  const pace = pollPace(options.pollIntervalMs)
  for (;;) {
    const poll = await scmFetch(app, 'the deployment status', location, { method: 'GET', signal }, await options.token())
    const deployment = (await poll.json()) as KuduDeployment
    if (deployment.status === DEPLOY_SUCCESS) return
    if (deployment.status === DEPLOY_FAILED) {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: false,
        message: `The deployment of '${app}' failed: ${deployment.message ?? 'no reason given'}`,
      })
    }
    if (Date.now() > deadline) {
      throw new ProviderError({
        provider: 'azure',
        message: `The deployment of '${app}' did not finish within ${options.timeoutMs} ms`,
      })
    }
    await abortableSleep(pace(), signal)
  }
}

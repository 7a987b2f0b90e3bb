import { googleError } from './google-errors.ts'
import { holds, type IamPolicy, servePolicy } from './iam-policy.ts'
import type { GcpEmulatorState } from './state.ts'

export const INVOKER_ROLE = 'roles/run.invoker'

/** Whether Cloud Run lets anyone call the service without a token. */
export function isPublic(policy: IamPolicy | undefined): boolean {
  return holds(policy, INVOKER_ROLE, 'allUsers')
}

/**
 * Cloud Run Admin API v2, the IAM part: `GET services/S:getIamPolicy` and
 * `POST services/S:setIamPolicy` on the service behind each 2nd-gen function.
 */
export function createRunIam(state: GcpEmulatorState) {
  return async (request: Request): Promise<Response> => {
    if (!request.headers.get('authorization')) {
      return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
    }
    const url = new URL(request.url)
    const match = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/services\/[^/:]+):(getIamPolicy|setIamPolicy)$/.exec(url.pathname)
    if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
    const [, service = '', verb = ''] = match
    const fn = [...state.functions.values()].find((candidate) => candidate.resource.serviceConfig.service === service)
    if (!fn) return googleError('NOT_FOUND', `Resource '${service}' was not found`)
    return servePolicy(request, verb, state.servicePolicies, service)
  }
}

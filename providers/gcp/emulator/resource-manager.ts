import { HttpResponse } from 'msw'
import { googleError } from './google-errors.ts'
import { GcpEmulatorState } from './state.ts'

/** Project IDs as Resource Manager allows them: 6 to 30 of lowercase letters, digits and hyphens. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/

/**
 * Cloud Resource Manager v3, `GET /v3/projects/{id}`: every well-formed
 * project ID exists here, with the made-up number the rest of the emulator
 * uses (the compute and Pub/Sub service accounts carry it). Projects are
 * known by ID only; a number or a malformed ID gets the 403 Resource Manager
 * gives for a project the caller cannot see.
 */
export function createResourceManager() {
  return async (request: Request): Promise<Response> => {
    if (!request.headers.get('authorization')) {
      return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
    }
    const url = new URL(request.url)
    const match = /^\/v3\/projects\/([^/:]+)$/.exec(url.pathname)
    if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
    if (request.method !== 'GET') return googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
    const projectId = decodeURIComponent(match[1] ?? '')
    if (!PROJECT_ID.test(projectId)) {
      return googleError(
        'PERMISSION_DENIED',
        `Permission 'resourcemanager.projects.get' denied on resource '//cloudresourcemanager.googleapis.com/projects/${projectId}' (or it may not exist).`,
      )
    }
    const created = '2024-01-01T00:00:00.000Z'
    return HttpResponse.json({
      name: `projects/${GcpEmulatorState.projectNumber(projectId)}`,
      parent: 'organizations/0',
      projectId,
      state: 'ACTIVE',
      displayName: projectId,
      createTime: created,
      updateTime: created,
      etag: 'W/"cloudfn-emulator"',
    })
  }
}

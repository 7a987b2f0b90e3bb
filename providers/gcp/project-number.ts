/**
 * The project's number, which the e-mails of Google's service agents carry
 * (`service-<number>@gcp-sa-pubsub.iam.gserviceaccount.com`) while cloudfn is
 * configured with the project ID. Resource Manager v3 answers it; it never
 * changes, so it is asked once per provider (again only after a failure).
 */
import { ProviderError } from '../../src/errors/provider-error.ts'
import type { Rest } from './rest.ts'

const API = 'https://cloudresourcemanager.googleapis.com/v3'

export function lazyProjectNumber(rest: Rest, project: string): () => Promise<string> {
  let pending: Promise<string> | undefined
  return () => {
    pending ??= fetchProjectNumber(rest, project).catch((error: unknown) => {
      pending = undefined
      throw error
    })
    return pending
  }
}

async function fetchProjectNumber(rest: Rest, project: string): Promise<string> {
  // `projects/{id}` is accepted as well as `projects/{number}`; the answer's name always has the number.
  const { name } = await rest.call<{ name?: string }>({
    method: 'GET',
    url: `${API}/projects/${encodeURIComponent(project)}`,
    operation: 'get project',
    resource: project,
    kind: 'Project',
  })
  const number = /^projects\/(\d+)$/.exec(name ?? '')?.[1]
  if (number) return number
  throw new ProviderError({
    provider: 'gcp',
    isRetryable: false,
    message: `Resource Manager answered no project number for '${project}' (name: ${JSON.stringify(name ?? null)})`,
  })
}

import { NotFoundError } from '../../src/errors/not-found.ts'

/**
 * A function the fake does not have. `damaged` is why a persisted function
 * cannot be loaded: the message then names the way out (redeploy or gc).
 */
export function notDeployed(name: string, damaged?: string): NotFoundError {
  return new NotFoundError({
    provider: 'local',
    resource: name,
    message: damaged
      ? `Function '${name}' on local cannot be loaded (${damaged}); deploy it again, or run gc to remove it`
      : `Function '${name}' is not deployed on local; deploy it first`,
  })
}

import { createRequire } from 'node:module'
import { MissingPackageError } from '../../../src/errors/missing-package.ts'

const STORAGE_PACKAGE = '@google-cloud/storage'

interface OAuth2ClientLike {
  setCredentials(credentials: { access_token: string; expiry_date: number }): void
}

/**
 * A fake-token auth client for `new Storage({ authClient })` against the
 * emulator. It must come from the google-auth-library copy the storage SDK
 * itself loads (v9 in @google-cloud/storage 7): the SDK merges
 * `getRequestHeaders()` into plain header objects, and the v10 client that
 * emulatorAuthClient() makes answers with a `Headers` instance, whose entries
 * are lost in that merge, so requests would go out without Authorization
 * (and the emulator refuses them with 401, as Cloud Storage does).
 */
export function storageAuthClient(accessToken = 'emulator-access-token'): unknown {
  let library: { OAuth2Client: new () => OAuth2ClientLike }
  try {
    const fromStorage = createRequire(createRequire(import.meta.url).resolve(STORAGE_PACKAGE))
    library = fromStorage('google-auth-library') as typeof library
  } catch (error) {
    throw new MissingPackageError({
      provider: 'gcp',
      packages: [STORAGE_PACKAGE],
      cause: error,
      message: `storageAuthClient() needs ${STORAGE_PACKAGE}. Run: npm install --save-dev ${STORAGE_PACKAGE}`,
    })
  }
  const client = new library.OAuth2Client()
  client.setCredentials({ access_token: accessToken, expiry_date: Date.now() + 3_600_000 })
  return client
}

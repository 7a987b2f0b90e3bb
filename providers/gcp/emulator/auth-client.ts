import { OAuth2Client } from 'google-auth-library'

/**
 * An auth client holding a fake access token, for `gcp({ authClient })` in
 * tests: google-auth-library then never looks for real credentials or asks a
 * metadata server. The emulator's counterpart of AWS's `FAKE_CREDENTIALS`.
 */
export function emulatorAuthClient(accessToken = 'emulator-access-token'): OAuth2Client {
  const client = new OAuth2Client()
  client.setCredentials({ access_token: accessToken, expiry_date: Date.now() + 3_600_000 })
  return client
}

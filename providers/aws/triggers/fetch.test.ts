import { withOverrides } from 'cloudfn'
import { HttpResponse, http as route } from 'msw'
import { describe, expect, it } from 'vitest'
import { http } from '../../../src/triggers/http.ts'
import { emulatorForFile } from '../__fixtures__/emulator.ts'
import { ELSEWHERE, redirector } from '../__fixtures__/redirect.ts'

const emulated = emulatorForFile({ region: 'eu-west-1', stateDelayMs: 5, updateDelayMs: 5 })
const { server } = emulated
const cloud = emulated.cloud()

describe('aws fetch()', () => {
  it.each(['public', 'iam'] as const)(
    'hands the redirect of a function with %s auth back as it is, sending nothing to the other origin',
    async (auth) => {
      const reached: Array<Record<string, string>> = []
      server.use(
        route.all(`${new URL(ELSEWHERE).origin}/*`, ({ request }) => {
          reached.push(Object.fromEntries(request.headers))
          return HttpResponse.text('landed')
        }),
      )
      const fn = await cloud.deploy(withOverrides(redirector, { trigger: http({ auth }) }), { name: `redirect-${auth}` })
      const response = await fn.fetch('/', { headers: { authorization: 'Bearer caller-secret' } })
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe(ELSEWHERE)
      expect(reached).toEqual([])
      await fn.remove()
    },
  )
})

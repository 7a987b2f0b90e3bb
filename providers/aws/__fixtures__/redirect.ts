import { defineFunction } from 'cloudfn'
import { http } from '../../../src/triggers/http.ts'

/** Where `redirector` sends its callers: another origin, which must never see them. */
export const ELSEWHERE = 'https://elsewhere.example/landing'

/** Answers every request with a 302 to another origin. */
export const redirector = defineFunction({
  name: 'redirector',
  trigger: http({ auth: 'public' }),
  handler: () => new Response(null, { status: 302, headers: { location: ELSEWHERE } }),
})

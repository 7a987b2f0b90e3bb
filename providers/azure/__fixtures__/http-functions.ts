/**
 * HTTP functions the Azure trigger tests deploy. In a module of their own: the
 * bundle of a function is its defining module, which must not import vitest.
 */
import { defineFunction } from '../../../src/define.ts'
import { http } from '../../../src/triggers/http.ts'

/** Where /away redirects: another origin, which must never see the function's key. */
export const ELSEWHERE = 'https://elsewhere.example/landed'

/** Redirects from /away, refuses /deny itself, and otherwise echoes the body it got. */
async function answer(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.pathname === '/away') return new Response(null, { status: 302, headers: { location: ELSEWHERE } })
  if (url.pathname === '/deny') return new Response('not you', { status: 401 })
  return new Response(await request.text())
}

export const keyed = defineFunction({ name: 'keyed-calls', trigger: http({ auth: 'key' }), handler: answer })

export const open = defineFunction({ name: 'open-calls', trigger: http({ auth: 'public' }), handler: answer })

/** Set-Cookie lines a cookie library would rewrite: a `/` in a value, quotes, attributes it does not know. */
export const COOKIE_LINES = [
  'id=a/b; Path=/; Partitioned; Secure',
  'q="quoted"; Priority=High; SameSite=None; Secure',
  'plain=1; Max-Age=60; HttpOnly; Custom=kept',
]

export const cookies = defineFunction({
  name: 'cookie-calls',
  trigger: http({ auth: 'public' }),
  handler: () => {
    const headers = new Headers({ 'x-before': 'one' })
    for (const line of COOKIE_LINES) headers.append('set-cookie', line)
    headers.append('x-after', 'two')
    return new Response('ok', { headers })
  },
})

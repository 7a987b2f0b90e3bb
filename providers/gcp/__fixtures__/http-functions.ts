/**
 * HTTP functions the GCP trigger tests deploy. In a module of their own: the
 * bundle of a function is its defining module, which must not import vitest.
 */
import { defineFunction } from '../../../src/define.ts'
import { http } from '../../../src/triggers/http.ts'

/** Redirects from /away, refuses /deny itself, and otherwise describes the request it got. */
export const web = defineFunction({
  name: 'web-calls',
  trigger: http({ auth: 'iam' }),
  handler: async (request) => {
    const url = new URL(request.url)
    if (url.pathname === '/away') return new Response(null, { status: 302, headers: { location: new URL('/landed', url).href } })
    if (url.pathname === '/deny')
      return new Response('not you', { status: 401, headers: { 'www-authenticate': 'Basic realm="app"' } })
    const body = Buffer.from(await request.arrayBuffer()).toString('base64')
    return Response.json({ method: request.method, path: url.pathname, type: request.headers.get('content-type'), body })
  },
})

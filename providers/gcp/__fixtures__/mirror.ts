import { defineFunction } from '../../../src/define.ts'
import { http } from '../../../src/triggers/http.ts'
import { schedule } from '../../../src/triggers/schedule.ts'

/**
 * Answers with everything it was given (method, URL, headers in order, body
 * bytes), with the status `?status=` asks for and repeated response headers,
 * so a differential test compares what the handler saw through the response.
 */
export const mirror = defineFunction({
  name: 'mirror',
  trigger: http({ auth: 'public' }),
  handler: async (request) => {
    const url = new URL(request.url)
    const body = Buffer.from(await request.arrayBuffer()).toString('base64')
    const headers = new Headers({ 'content-type': 'application/json', 'x-reply': 'one' })
    headers.append('x-reply', 'two')
    headers.append('set-cookie', 'a=1; Path=/')
    headers.append('set-cookie', 'b=2; Path=/')
    const seen = { method: request.method, path: url.pathname + url.search, headers: [...request.headers], body }
    return new Response(JSON.stringify(seen), { status: Number(url.searchParams.get('status') ?? 200), headers })
  },
})

/** A scheduled function: answers the event it was given. */
export const scheduled = defineFunction({
  name: 'scheduled',
  trigger: schedule('rate(5 minutes)'),
  handler: (event: unknown) => event,
})

import { defineFunction, http } from 'cloudfn'

/** The same greeting over HTTP: GET /?name=Ada, or POST a name as the body. */
export const helloHttp = defineFunction({
  name: 'hello-http',
  timeoutSec: 10,
  trigger: http({ auth: 'public', methods: ['GET', 'POST'] }),
  handler: async (request) => {
    const name = request.method === 'POST' ? await request.text() : new URL(request.url).searchParams.get('name')
    if (!name) return Response.json({ error: 'say who to greet: ?name=... or a body' }, { status: 400 })
    return Response.json({ message: `Hello, ${name}!` }, { headers: { 'x-greeted': encodeURIComponent(name) } })
  },
})

import { defineFunction, http } from 'cloudfn'

export const add = defineFunction({
  name: 'bench-add',
  handler: (input: { a: number; b: number; tags: string[] }) => ({ sum: input.a + input.b, count: input.tags.length }),
})

/** The same work as `add`, over HTTP: JSON body in, JSON out. */
export const addHttp = defineFunction({
  name: 'bench-add-http',
  trigger: http({ auth: 'public', methods: ['POST'] }),
  handler: async (request) => {
    const input = (await request.json()) as { a: number; b: number; tags: string[] }
    return Response.json({ sum: input.a + input.b, count: input.tags.length })
  },
})

import { defineFunction } from 'cloudfn'

export const add = defineFunction({
  name: 'bench-add',
  handler: (input: { a: number; b: number; tags: string[] }) => ({ sum: input.a + input.b, count: input.tags.length }),
})

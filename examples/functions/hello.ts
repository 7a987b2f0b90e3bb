import { defineFunction } from 'cloudfn'

export const hello = defineFunction({
  name: 'hello',
  memoryMb: 256,
  timeoutSec: 10,
  env: { GREETING: 'Hello' },
  handler: async (input: { name: string }, ctx) => {
    ctx.log('greeting', input.name)
    return { message: `${process.env.GREETING}, ${input.name}!`, coldStart: ctx.coldStart }
  },
})

export const unused = defineFunction({
  name: 'unused',
  handler: () => 'this export is not bundled with hello',
})

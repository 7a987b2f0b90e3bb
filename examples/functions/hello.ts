import { defineFunction } from 'cloudfn'

export const hello = defineFunction({
  name: 'hello',
  memoryMb: 256,
  timeoutSec: 10,
  env: { GREETING: 'Hello' },
  handler: async (input: { name: string }, ctx) => {
    if (typeof input.name !== 'string') throw new TypeError('name must be a string')
    ctx.log('greeting', input.name)
    return { message: `${process.env.GREETING}, ${input.name}!`, coldStart: ctx.coldStart }
  },
})

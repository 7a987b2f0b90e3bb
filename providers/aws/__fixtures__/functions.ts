import { defineFunction } from 'cloudfn'

export const slow = defineFunction({
  name: 'slow',
  handler: async (input: { ms: number; tag: string }) => {
    await new Promise((resolve) => setTimeout(resolve, input.ms))
    return input.tag
  },
})

export const exits = defineFunction({
  name: 'exits',
  handler: (input: { exit: boolean }) => {
    if (input.exit) process.exit(3)
    return 'alive'
  },
})

export const chatty = defineFunction({
  name: 'chatty',
  handler: (input: { lines: number }, ctx) => {
    for (let i = 0; i < input.lines; i++) console.info(`line ${i}`)
    ctx.log('multi\nline')
    return ctx.executionId
  },
})

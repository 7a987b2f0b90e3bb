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

export const envWriter = defineFunction({
  name: 'env-writer',
  env: { COUNT: '0' },
  handler: () => {
    process.env.COUNT = String(Number(process.env.COUNT) + 1)
    return { count: process.env.COUNT, hostPath: process.env.PATH ?? null }
  },
})

export const replacement = defineFunction({
  name: 'replacement',
  handler: () => 'new code',
})

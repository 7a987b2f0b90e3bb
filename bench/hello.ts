import { defineFunction } from 'cloudfn'

export const hello = defineFunction({ name: 'bench-hello', handler: () => 'hello' })

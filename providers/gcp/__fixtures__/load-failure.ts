import { defineFunction } from '../../../src/define.ts'

// Runs when the instance loads the code: with BREAK_AT_LOAD set the module cannot load.
if (process.env.BREAK_AT_LOAD) throw new Error('this module refuses to load')

export const loadFailure = defineFunction({
  name: 'load-failure',
  handler: () => 'loaded',
})

import { defineFunction } from 'cloudfn'

/** Ends its worker without answering, as a fatal error in the process would. */
export const crash = defineFunction({
  name: 'crash',
  handler: () => {
    process.exit(3)
  },
})

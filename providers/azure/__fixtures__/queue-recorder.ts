/** A queue-triggered function that appends every message it receives, as JSON, to `$QUEUE_RECORD_DIR/received.jsonl`. */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineFunction, queue } from 'cloudfn'

export const recorder = defineFunction({
  name: 'recorder',
  trigger: queue({ maxRetries: 0 }),
  handler: (message: unknown) => {
    appendFileSync(join(process.env.QUEUE_RECORD_DIR ?? '.', 'received.jsonl'), `${JSON.stringify(message)}\n`)
    return null
  },
})

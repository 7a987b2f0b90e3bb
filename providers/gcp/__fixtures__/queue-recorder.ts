import { randomUUID } from 'node:crypto'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineFunction } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'

/**
 * A queue-triggered function that writes each message it receives to its own
 * file in `RECORD_DIR` (set it with `withOverrides`), so a test can compare
 * what arrived with what was sent.
 */
export const queueRecorder = defineFunction({
  name: 'recorder',
  trigger: queue({ maxRetries: 4 }),
  handler: (message: unknown) => {
    const file = join(process.env.RECORD_DIR as string, randomUUID())
    // Written aside, then renamed: a reader never sees half a file.
    writeFileSync(`${file}.part`, JSON.stringify({ received: message }))
    renameSync(`${file}.part`, `${file}.json`)
  },
})

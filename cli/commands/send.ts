import { providerCommand } from '../common.ts'
import { readInput } from '../read-input.ts'

/** Shown after the usage by `--help`. */
export const examples = [
  `cloudfn send thumbnails --data '{"key":"photos/1.jpg"}'`,
  `cloudfn send thumbnails --data @message.json`,
]

export const send = providerCommand({
  name: 'send',
  description: 'Send a message to the queue of a queue-triggered function.',
  args: {
    name: { type: 'positional', required: true, description: 'function name' },
    data: { type: 'string', description: 'message as JSON, or @file to read it from a file (default: null)' },
  },
  async run(env, parsed) {
    const message = await readInput(parsed.data as string | undefined, env.cwd)
    const fn = await (await env.cloud()).get(parsed.name as string)
    const sent = await fn.send(message)
    env.output.result(sent, () => `sent message ${sent.messageId} to ${fn.name}`)
  },
})

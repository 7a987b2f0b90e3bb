import { fork } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { packageFile } from '../package/package-root.ts'
import { compileHostScript } from './host-script.ts'
import type { ProcessInit } from './protocol.ts'

describe('process bootstrap', () => {
  it("says it listens before the host sends init, then loads the host script it names (nodejs/node#34785: an ES module's early message is dropped)", async () => {
    const bootstrap = await compileHostScript(packageFile('src/sandbox/process-bootstrap.ts'))
    const host = await compileHostScript(packageFile('src/sandbox/__fixtures__/process-host.ts'))
    const child = fork(bootstrap, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    try {
      const messages: unknown[] = []
      child.on('message', (message) => messages.push(message))
      // Nothing is sent before the child's first message: it has to come on its own.
      await once(child, 'message')
      expect(messages).toEqual([{ type: 'listening' }])
      const init: ProcessInit = { type: 'init', file: host, data: {} }
      child.send(init)
      while (messages.length < 2) await once(child, 'message')
      expect(messages).toEqual([{ type: 'listening' }, { type: 'ready' }])
    } finally {
      child.kill('SIGKILL')
    }
  }, 120_000)
})

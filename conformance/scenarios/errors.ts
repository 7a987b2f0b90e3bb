import assert from 'node:assert/strict'
import type { FunctionError } from '../../src/errors/function-error.ts'
import { rejectsWith } from '../expect.ts'
import { fail } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

export const errors: Scenario[] = [
  {
    id: 'user-error',
    title: "a handler's error arrives as FunctionError with its name, message and stack",
    async run({ cloud, name }) {
      const fn = await cloud.deploy(fail, { name: name('fail') })
      const custom = await rejectsWith<FunctionError>(fn.invoke({ message: 'quantity must be positive' }), 'FunctionError')
      assert.equal(custom.remoteName, 'ValidationFailure')
      assert.equal(custom.remoteMessage, 'quantity must be positive')
      assert.match(custom.remoteStack ?? '', /ValidationFailure: quantity must be positive/)
      assert.match(custom.remoteStack ?? '', /\n\s+at /, 'the remote stack has no frames')
      // Frames name the fixture's source relative to its package, not the artifact (`/var/task/index.mjs`, ...).
      // From the built CLI the fixture module is dist/conformance-fixtures.js, mapped back through its own map when present.
      const firstFrame = (custom.remoteStack ?? '').split('\n').find((line) => /^\s+at /.test(line)) ?? ''
      assert.match(firstFrame, /(conformance\/fixtures\/functions\.ts|dist\/conformance-fixtures\.js):\d+:\d+\)?$/)
      assert.doesNotMatch(custom.remoteStack ?? '', /index\.mjs/, 'the remote stack still names the bundle')
      assert.equal(custom.isRetryable, false)
      assert.ok(custom.executionId, 'the error carries the execution id')

      const typeError = await rejectsWith<FunctionError>(fn.invoke({ message: 'not a number', kind: 'type' }), 'FunctionError')
      assert.equal(typeError.remoteName, 'TypeError')

      const thrownString = await rejectsWith<FunctionError>(
        fn.invoke({ message: 'just a string', kind: 'string' }),
        'FunctionError',
      )
      assert.equal(thrownString.remoteName, 'Error')
      assert.equal(thrownString.remoteMessage, 'just a string')
      await fn.remove()
    },
  },
]

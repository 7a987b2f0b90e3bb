import assert from 'node:assert/strict'
import { defineFunction, withOverrides } from '../../src/define.ts'
import { rejectedBeforeSending } from '../expect.ts'
import { echo } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

export const validation: Scenario[] = [
  {
    id: 'invalid-config',
    title: 'invalid names, memory, timeouts and options are rejected naming the field, with nothing sent',
    async run({ cloud, probe, capabilities }) {
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['options.name', () => cloud.deploy(echo, { name: 'Has_Upper' })],
        ['options.name', () => cloud.deploy(echo, { name: '-starts-with-hyphen' })],
        ['options.name', () => cloud.deploy(echo, { name: 'x'.repeat(41) })],
        ['memoryMb', async () => withOverrides(echo, { memoryMb: 64 })],
        ['memoryMb', async () => withOverrides(echo, { memoryMb: 300.5 })],
        ['timeoutSec', async () => withOverrides(echo, { timeoutSec: 0 })],
        ['timeoutSec', async () => withOverrides(echo, { timeoutSec: 3601 })],
        ['env.AWS_REGION', async () => withOverrides(echo, { env: { AWS_REGION: 'x' } })],
        ['env.1BAD', async () => withOverrides(echo, { env: { '1BAD': 'x' } })],
        ['name', async () => defineFunction({ name: 'Bad Name', handler: () => 1 })],
        ['handler', async () => defineFunction({ name: 'ok', handler: 'nope' as never })],
        ['memoryTypo', async () => defineFunction({ name: 'ok', handler: () => 1, memoryTypo: 1 } as never)],
        ['options.nme', () => cloud.deploy(echo, { nme: 'typo' } as never)],
        ['definition', () => cloud.deploy({ name: 'not-a-definition' } as never)],
      ]
      // Limits narrower than the portable ones come from the provider's capabilities.
      if (capabilities.timeoutSec.max < 3600) {
        cases.push(['timeoutSec', () => cloud.deploy(withOverrides(echo, { timeoutSec: capabilities.timeoutSec.max + 1 }))])
      }
      if (capabilities.memoryMb.max < 10240) {
        cases.push(['memoryMb', () => cloud.deploy(withOverrides(echo, { memoryMb: capabilities.memoryMb.max + 1 }))])
      }
      for (const [field, action] of cases) {
        const error = await rejectedBeforeSending(probe, action, 'InvalidArgument')
        assert.equal((error as { field?: string }).field, field, error.message)
        assert.ok(error.message.includes(field), `the message should name ${field}: ${error.message}`)
      }
    },
  },
]

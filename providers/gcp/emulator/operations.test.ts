import { afterAll, describe, expect, it } from 'vitest'
import { echo } from '../../../conformance/fixtures/functions.ts'
import { createCloud } from '../../../src/client.ts'
import { createGcpProvider } from '../index.ts'
import { createGcpEmulator, emulatorAuthClient } from './index.ts'

describe('gcp emulator operations', () => {
  const emulator = createGcpEmulator()
  emulator.listen()
  afterAll(() => emulator.close())
  const cloud = createCloud(
    createGcpProvider({
      project: 'cloudfn-operations',
      region: 'europe-west1',
      authClient: emulatorAuthClient(),
      idTokenProvider: emulator.idTokenProvider,
      pollIntervalMs: 10,
    }),
    { retry: { maxAttempts: 1 } },
  )

  it('ends an operation whose own bookkeeping throws as INTERNAL instead of leaving it running for ever', async () => {
    await cloud.deploy(echo, { name: 'breaks-on-delete' })
    const fn = emulator.state.byShortName('breaks-on-delete')
    const sandbox = fn?.revision?.sandbox
    if (!sandbox) throw new Error('the deployed function has no revision')
    const retire = sandbox.retire.bind(sandbox)
    // The delete's ending retires the revision; this one fails once its instances are stopped.
    sandbox.retire = async () => {
      await retire()
      throw new Error('retire broke')
    }
    // Before, the delete operation never finished and the provider polled it until the test's hang guard.
    await expect(cloud.remove('breaks-on-delete')).rejects.toThrow(/retire broke/)
    const operations = [...emulator.state.operations.values()].filter((operation) =>
      operation.metadata.target?.toString().endsWith('/functions/breaks-on-delete'),
    )
    expect(operations.map((operation) => [operation.metadata.verb, operation.done, operation.error?.code])).toEqual([
      ['create', true, undefined],
      ['delete', true, 13],
    ])
  }, 120_000)
})

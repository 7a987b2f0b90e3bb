import { describe, expect, it } from 'vitest'
import { emulatorForFile } from '../__fixtures__/emulator.ts'
import { awsForeignQueues } from './foreign-queues.ts'

const region = 'eu-west-1'
const { emulator } = emulatorForFile({ region })

describe('aws conformance foreign queues: the harness retry of its own SQS calls', () => {
  it('makes and fills the queue through dropped connections, each message held, with a backoff between attempts', async () => {
    const delays: number[] = []
    const queues = awsForeignQueues(emulator, region, { sleep: async (ms) => void delays.push(ms), random: () => 0 })
    emulator.faults.inject({ on: 'CreateQueue', kind: 'reset' })
    emulator.faults.inject({ on: 'SendMessage', kind: 'reset', times: 2 })
    await queues.create('theirs', ['{"a":1}', '{"b":"é"}'])
    expect(emulator.faults.pending).toEqual([])
    expect(delays).toEqual([10, 10, 20])
    expect(await queues.read('theirs')).toEqual({ marker: { owner: 'someone-else' }, messages: ['{"a":1}', '{"b":"é"}'] })
  })
})

import { describe, expect, it } from 'vitest'
import { localTarget } from '../../providers/local/conformance/target.ts'
import { runScenario } from '../run-scenario.ts'
import type { ForeignQueues } from '../scenario.ts'
import { distinctMessages, queueOwnership } from './queue-ownership.ts'

/**
 * Foreign queues whose sends are at least once, as a send repeated after a
 * lost answer leaves them: the first message lands twice.
 */
function atLeastOnce(queues: ForeignQueues): ForeignQueues {
  return {
    ...queues,
    create: (name, messages) => queues.create(name, messages.length > 0 ? [messages[0] as string, ...messages] : []),
  }
}

describe('queue-ownership scenario: foreign queues are at-least-once', () => {
  it('compares the distinct messages sent with those held', () => {
    expect(distinctMessages(['b', 'a', 'b'])).toEqual(['a', 'b'])
    expect(distinctMessages(['a', 'b'])).toEqual(distinctMessages(['b', 'a', 'a']))
    expect(distinctMessages(['a', 'c'])).not.toEqual(distinctMessages(['a', 'b']))
  })

  it('passes on a backend whose foreign queue holds a repeated send', async () => {
    const session = await localTarget('inline').setup()
    try {
      const foreignQueues = session.foreignQueues
      if (!foreignQueues) throw new Error('the local target makes foreign queues')
      const [scenario] = queueOwnership
      if (!scenario) throw new Error('no queue-ownership scenario')
      const outcome = await runScenario(scenario, { ...session, foreignQueues: atLeastOnce(foreignQueues) })
      expect(outcome).toMatchObject({ status: 'passed' })
    } finally {
      await session.teardown()
    }
  })
})

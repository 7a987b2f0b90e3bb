import { EventEmitter } from 'node:events'
import type { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type ChildOutputs, outputsClosed } from './child-outputs.ts'

/** A stand-in for an ended child whose stderr and IPC channel close when the test says. */
function endedChild() {
  const stderr = Object.assign(new EventEmitter(), { readableEnded: false, destroyed: false })
  const child = Object.assign(new EventEmitter(), { stderr: stderr as unknown as Readable, connected: true })
  return { child: child as unknown as ChildOutputs, stderr, channel: child }
}

const settledWithin = async (promise: Promise<void>, turns: number): Promise<boolean> => {
  let settled = false
  void promise.then(() => {
    settled = true
  })
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve))
  return settled
}

const LONG = { stderrMs: 60_000, channelMs: 60_000 }

describe('outputsClosed', () => {
  it('waits for the IPC channel as well as stderr: an answer sent before the exit is read first', async () => {
    const { child, stderr, channel } = endedChild()
    const closed = outputsClosed(child, LONG)
    stderr.emit('close')
    // Still reading the channel, where the last answer may be: the requests are not settled as crashed yet.
    expect(await settledWithin(closed, 5)).toBe(false)
    channel.emit('disconnect')
    expect(await settledWithin(closed, 5)).toBe(true)
  })

  it('gives up after its bound (a grandchild holding the pipes open), and an error on a pipe ends the wait', async () => {
    const held = endedChild()
    await outputsClosed(held.child, { stderrMs: 10, channelMs: 10 })
    const failing = endedChild()
    const closed = outputsClosed(failing.child, LONG)
    failing.stderr.emit('error', new Error('EPIPE'))
    failing.channel.emit('error', new Error('channel closed'))
    expect(await settledWithin(closed, 5)).toBe(true)
  })

  it('waits for the channel past the short stderr bound: a request acknowledged there is not taken as undelivered', async () => {
    const { child, channel } = endedChild()
    const closed = outputsClosed(child, { stderrMs: 10, channelMs: 60_000 })
    // Past stderr's bound (a grandchild holding it open) however slow the machine: only longer waits are possible.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await settledWithin(closed, 5)).toBe(false)
    channel.emit('disconnect')
    expect(await settledWithin(closed, 5)).toBe(true)
  })

  it('resolves at once when nothing is left to read', async () => {
    const { child, stderr, channel } = endedChild()
    stderr.readableEnded = true
    channel.connected = false
    expect(await settledWithin(outputsClosed(child, LONG), 1)).toBe(true)
  })
})

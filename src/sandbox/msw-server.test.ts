import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { emulatorServer } from './msw-server.ts'

describe('emulatorServer', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('names a request still unanswered after a minute, once, without its query string', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'Date'] })
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    let answer: () => void = () => undefined
    const released = new Promise<void>((resolve) => {
      answer = resolve
    })
    const server = emulatorServer([
      http.get('https://slow.example.test/wait', async () => {
        await released
        return HttpResponse.text('done')
      }),
    ])
    const started = new Promise<void>((resolve) => server.listen().events.on('request:start', () => resolve()))
    try {
      const pending = fetch('https://slow.example.test/wait?token=secret')
      // The clock moves only once the emulator has seen the request (however slow the machine is to get there).
      await started
      await vi.advanceTimersByTimeAsync(45_000)
      expect(warnings).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(30_000)
      await vi.advanceTimersByTimeAsync(60_000)
      // Checked every 15 s: said between 60 and 75 s, and only once.
      expect(warnings.mock.calls).toEqual([
        [
          expect.stringMatching(/^GET https:\/\/slow\.example\.test\/wait has had no answer for (60|75) s$/),
          'CloudfnEmulatorWarning',
        ],
      ])
      answer()
      expect(await (await pending).text()).toBe('done')
    } finally {
      server.close()
    }
  })

  it('forgets a request whose handler threw (msw ends it without request:end): no false warning a minute later', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'Date'] })
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const server = emulatorServer([
      http.get('https://broken.example.test/', () => {
        throw new Error('handler bug')
      }),
    ])
    server.listen()
    try {
      await fetch('https://broken.example.test/').catch(() => undefined)
      await vi.advanceTimersByTimeAsync(120_000)
      expect(warnings).not.toHaveBeenCalled()
      // Still printed, as msw prints it when nobody listens.
      expect(printed.mock.calls.map(([error]) => String(error))).toContain('Error: handler bug')
    } finally {
      server.close()
    }
  })
})

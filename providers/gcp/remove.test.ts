import { afterAll, describe, expect, it, vi } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { createCloud } from '../../src/client.ts'
import { createManualClock } from '../../src/triggers/clock.ts'
import { createGcpEmulator, emulatorAuthClient } from './emulator/index.ts'
import { functionState } from './enums.ts'
import { createGcpProvider } from './index.ts'

/** Hang guard for waits on the machine's pace; the operations themselves move only with the manual clock. */
const GUARD = { timeout: 60_000, interval: 5 }

describe('gcp remove', () => {
  // Operations last a minute of a clock only this test moves: a deploy is still running when remove is called.
  const stateClock = createManualClock()
  const emulator = createGcpEmulator({ timing: 'realistic', stateClock })
  // Deletes the emulator refused as Cloud Functions does while another operation runs (409 ABORTED).
  const refusedDeletes: string[] = []
  const seen: string[] = []
  emulator.listen().events.on('response:mocked', ({ request, response }) => {
    if (request.url.includes('/functions/busy')) seen.push(request.method)
    if (request.method === 'DELETE' && response.status === 409) refusedDeletes.push(request.url)
  })
  afterAll(() => emulator.close())
  const cloud = createCloud(
    createGcpProvider({
      project: 'cloudfn-remove',
      region: 'europe-west1',
      authClient: emulatorAuthClient(),
      idTokenProvider: emulator.idTokenProvider,
      pollIntervalMs: 20,
    }),
    // One attempt: a refusal the provider does not wait out itself fails the test instead of being retried away.
    { retry: { maxAttempts: 1 } },
  )

  it('waits out an operation still running on the function (Cloud Functions answers ABORTED to another) and then deletes it', async () => {
    // Settled at once: the deploy may lose its function to the remove, and only the remove is under test.
    const deploying = cloud.deploy(echo, { name: 'busy' }).then(
      () => undefined,
      () => undefined,
    )
    const record = () => emulator.state.byShortName('busy')
    await vi.waitFor(() => expect(record()?.rollingOut).toBeDefined(), GUARD)
    expect(functionState(record()?.resource.state)).toBe('DEPLOYING')
    let settled = false
    const before = seen.length
    const removing = cloud.remove('busy').finally(() => {
      settled = true
    })
    // The clock stands still while the remove acts on the running deploy: a remove that does not wait sends its
    // DELETE now (refused). With the fix no DELETE comes before the deploy ends, so this wait only ends at its
    // bound, which limits how surely the test catches the regression, never whether the fixed code passes.
    await vi
      .waitFor(() => expect(seen.slice(before)).toContain('DELETE'), { timeout: 2_000, interval: 10 })
      .catch(() => undefined)
    // Each advance ends whatever operation is running then: the deploy's create, then the remove's delete.
    while (!settled) {
      await stateClock.advance(60_000)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await removing).toEqual({ removed: true })
    await deploying
    expect(record()).toBeUndefined()
    // Waited out rather than refused and retried: the SDK's own retries of ABORTED end after their budget, which a
    // deploy on a loaded machine outlasted.
    expect(refusedDeletes).toEqual([])
  }, 120_000)
})

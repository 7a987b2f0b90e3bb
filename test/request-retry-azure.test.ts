/** Each ARM and Kudu request of an Azure deploy is retried on its own (see test/request-retry.test.ts). */
import { afterAll, describe, expect, it } from 'vitest'
import { echo } from '../conformance/fixtures/functions.ts'
import { startKit } from '../providers/azure/__fixtures__/test-kit.ts'

describe('request-level retries on azure', () => {
  const kit = startKit({ retry: { maxAttempts: 1 } })
  afterAll(() => kit.close())

  it('deploys through a transient fault on the site PUT, its LRO poll, the OneDeploy upload and its status poll', async () => {
    const { faults } = kit.emulator
    faults.inject({ on: 'arm', kind: 'server-error', status: 503, match: /^PUT .*\/sites\/[^/]+$/, times: 2 })
    faults.inject({ on: 'arm', kind: 'reset', match: /^GET .*operation/i })
    faults.inject({ on: 'scm', kind: 'server-error', status: 503, match: /^POST \/api\/publish/ })
    faults.inject({ on: 'scm', kind: 'reset', match: /^GET \/api\/deployments/ })
    faults.inject({ on: 'arm', kind: 'throttle', retryAfterSec: 0 })
    const fn = await kit.cloud.deploy(echo, { name: 'request-retry' })
    expect(await fn.invoke({ a: 1 })).toEqual({ a: 1 })
    await fn.remove()
  })
})

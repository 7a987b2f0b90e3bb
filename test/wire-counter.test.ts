import { createServer, request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { countRequests } from '../conformance/targets/wire-counter.ts'

describe('countRequests (the real-cloud probes count requests with it)', () => {
  it('counts node:http and fetch requests to matching hosts only, until stopped', async () => {
    const server = createServer((_, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const counter = countRequests((host) => host === '127.0.0.1')
    const other = countRequests((host) => host === 'example.invalid')
    try {
      await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text())
      await new Promise<void>((resolve) => request(`http://127.0.0.1:${port}/`, (res) => res.resume().on('end', resolve)).end())
      expect(counter.count()).toBe(2)
      expect(other.count()).toBe(0)
      counter.stop()
      await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text())
      expect(counter.count()).toBe(2)
    } finally {
      other.stop()
      server.close()
    }
  })
})

/**
 * A loopback HTTP server standing in for a cloud: it answers each request with
 * what the given msw handlers (an emulator's) answer for the same request at
 * the cloud's host. The SDK under test talks real HTTP to it, so the recorder
 * sees the traffic exactly as it would see a real cloud's.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getResponse, type RequestHandler } from 'msw'

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect', 'keep-alive'])

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export interface LoopbackCloud {
  /** `127.0.0.1:<port>`, the host to alias to the cloud's. */
  host: string
  url: string
  close(): Promise<void>
}

/**
 * Serves `handlers` on loopback as `cloudHost`. `tamper` may rewrite an answer
 * before it is sent (e.g. to plant a value the scrubber does not know).
 */
export async function startLoopbackCloud(
  handlers: readonly RequestHandler[],
  cloudHost: string,
  tamper: (body: string) => string = (body) => body,
): Promise<LoopbackCloud> {
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await bodyOf(req)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers.set(name, value)
      }
      const init: RequestInit = { method: req.method ?? 'GET', headers }
      if (body.byteLength > 0) init.body = new Uint8Array(body)
      const response = await getResponse([...handlers], new Request(`https://${cloudHost}${req.url ?? '/'}`, init))
      if (!response || response.type === 'error') {
        res.destroy()
        return
      }
      const text = tamper(await response.text())
      response.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) res.setHeader(name, value)
      })
      res.writeHead(response.status)
      res.end(text)
    } catch (error) {
      res.writeHead(500)
      res.end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

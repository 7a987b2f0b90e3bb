import type { HttpResponseLike } from '../shim.ts'

/** An Express-like response that keeps what the shim sent, for tests that call the shim directly. */
export function recordingResponse(): {
  res: HttpResponseLike
  sent: { status?: number; headers: Record<string, string | string[]>; body: Buffer }
} {
  const sent: { status?: number; headers: Record<string, string | string[]>; body: Buffer } = {
    headers: {},
    body: Buffer.alloc(0),
  }
  const res = {
    status(code: number) {
      sent.status = code
      return res
    },
    setHeader(name: string, value: string | string[]) {
      sent.headers[name] = value
    },
    end(body?: Uint8Array | string) {
      sent.body = Buffer.from(body ?? '')
    },
  }
  return { res, sent }
}

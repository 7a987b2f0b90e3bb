import { HttpResponse } from 'msw'

/** An ARM error answer: `{ error: { code, message } }` with the status Azure uses. */
export function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ error: { code, message } }, { status, headers })
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body as Record<string, unknown>, { status, headers })
}

export async function readJson(request: Request): Promise<Record<string, unknown> | undefined> {
  const text = await request.text()
  if (!text) return {}
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export function badJson(): Response {
  return armError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.')
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, entry] of Object.entries(asRecord(value))) if (typeof entry === 'string') out[name] = entry
  return out
}

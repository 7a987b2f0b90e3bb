/**
 * The one answer shape every shim returns, whatever cloud ran the function, so
 * that user errors, cold starts and durations look the same everywhere.
 * This module is bundled into deployed artifacts: keep it dependency-free.
 */
export interface InvocationMeta {
  coldStart: boolean
  durationMs: number
  executionId: string
}

export interface RemoteError {
  name: string
  message: string
  stack?: string | undefined
}

export type Envelope =
  | { ok: true; value: unknown; meta: InvocationMeta }
  | { ok: false; error: RemoteError; meta: InvocationMeta }

/** Builds the envelope text around an already-encoded JSON value, avoiding a second stringify. */
export function successEnvelope(valueJson: string, meta: InvocationMeta): string {
  return `{"ok":true,"value":${valueJson},"meta":${metaJson(meta)}}`
}

/**
 * The text `JSON.stringify(meta)` gives, written out: stringifying the object
 * took a tenth of an inline invoke. Only the id can need escaping.
 */
function metaJson(meta: InvocationMeta): string {
  const durationMs = Number.isFinite(meta.durationMs) ? meta.durationMs : null
  return `{"coldStart":${meta.coldStart === true},"durationMs":${durationMs},"executionId":${JSON.stringify(meta.executionId)}}`
}

export function failureEnvelope(error: RemoteError, meta: InvocationMeta): string {
  return JSON.stringify({ ok: false, error, meta })
}

/** Turns anything a handler may throw into a `RemoteError`. */
export function toRemoteError(thrown: unknown): RemoteError {
  if (thrown instanceof Error) {
    return { name: errorName(thrown), message: thrown.message, stack: thrown.stack }
  }
  return { name: 'Error', message: typeof thrown === 'string' ? thrown : safeString(thrown) }
}

function errorName(error: Error): string {
  // A custom class that forgot to set `name` still reports its class name.
  if (error.name && error.name !== 'Error') return error.name
  return error.constructor?.name || 'Error'
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * The REST fallback asks for `enum-encoding=int`, so enums arrive as numbers
 * from plain responses and as names from decoded operation results. Every
 * comparison goes through here so neither form leaks into the provider.
 */

export type FunctionState = 'STATE_UNSPECIFIED' | 'ACTIVE' | 'FAILED' | 'DEPLOYING' | 'DELETING' | 'UNKNOWN'

const STATES: readonly FunctionState[] = ['STATE_UNSPECIFIED', 'ACTIVE', 'FAILED', 'DEPLOYING', 'DELETING', 'UNKNOWN']

export function functionState(value: unknown): FunctionState {
  if (typeof value === 'number') return STATES[value] ?? 'UNKNOWN'
  if (typeof value === 'string' && (STATES as readonly string[]).includes(value)) return value as FunctionState
  return 'STATE_UNSPECIFIED'
}

export function stateNumber(state: FunctionState): number {
  return STATES.indexOf(state)
}

/** google.rpc.Code names by number. */
const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const

export type RpcStatus = (typeof GRPC_CODES)[number]

export function rpcStatusName(value: unknown): RpcStatus | undefined {
  if (typeof value === 'number') return GRPC_CODES[value]
  if (typeof value === 'string' && (GRPC_CODES as readonly string[]).includes(value)) return value as RpcStatus
  return undefined
}

export function rpcCode(status: RpcStatus): number {
  return GRPC_CODES.indexOf(status)
}

/** The canonical HTTP mapping of google.rpc.Code (google/rpc/code.proto). */
const HTTP_OF: Partial<Record<RpcStatus, number>> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
}

export function httpStatusOf(status: RpcStatus): number {
  return HTTP_OF[status] ?? 500
}

/** Best guess of the status from an HTTP code alone (no body to read it from). */
export function rpcStatusOfHttp(http: number): RpcStatus {
  const known: Record<number, RpcStatus> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    501: 'UNIMPLEMENTED',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  }
  return known[http] ?? (http >= 500 ? 'INTERNAL' : 'UNKNOWN')
}

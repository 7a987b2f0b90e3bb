/**
 * An example third-party emulator, built only from public imports
 * (`cloudfn/emulator-kit` and msw): a toy functions API at
 * https://functions.toy.example, so that a provider for it could be tested
 * as the built-in ones are. `PUT /functions/:name` deploys a function that
 * answers the JSON body it was given, `POST /functions/:name/invoke` runs it,
 * `GET /functions` lists, `DELETE /functions/:name` removes. Its faults
 * speak the kit's vocabulary; throttles and server errors answer in this
 * API's JSON error shape, the other kinds as on every emulator (`answerFault`).
 * Copy this folder to start an emulator for another cloud.
 */
import {
  answerFault,
  type Emulator,
  type EmulatorState,
  emulatorServer,
  type Fault,
  FaultQueue,
  type RenderedFault,
  requestLine,
  stateProbe,
} from 'cloudfn/emulator-kit'
import { HttpResponse, http, type JsonBodyType } from 'msw'

export const TOY_ENDPOINT = 'https://functions.toy.example'
/** The only token the emulator accepts: what `connect()` hands the provider (a fake, never a real credential). */
const TOY_TOKEN = 'toy-emulator-token'

/** What a provider for the toy API would take as settings. */
export interface ToySettings {
  endpoint: string
  token: string
}

/** The endpoint families faults aim at (`on`): the control plane, and invocations. */
export type ToyTarget = 'control' | 'invoke'
export type ToyFault = Fault<ToyTarget>

export class ToyState implements EmulatorState {
  /** Deployed functions by name, each with the answer it gives. */
  readonly functions = new Map<string, JsonBodyType>()
  readonly executions = new Map<string, number>()
  requestCount = 0
  writeCount = 0
}

export type ToyEmulator = Emulator<ToySettings, ToyState, FaultQueue<ToyTarget, ToyFault>>

/** Throttles and server errors in the toy API's own error shape. */
function renderFault(fault: RenderedFault<ToyFault>): Response {
  if (fault.kind === 'throttle') {
    const retryAfter = String(fault.retryAfterSec ?? 1)
    return HttpResponse.json({ error: 'TooManyRequests' }, { status: 429, headers: { 'retry-after': retryAfter } })
  }
  return HttpResponse.json(
    { error: fault.code ?? 'Internal', message: fault.message ?? 'injected server error' },
    { status: fault.status ?? 500 },
  )
}

export function createToyEmulator(): ToyEmulator {
  const state = new ToyState()
  // A throttle on an invoke is what the toy API gives under load and what a provider must survive.
  const faults = new FaultQueue<ToyTarget, ToyFault>({
    invoke: 'invoke',
    survivable: (on): Record<string, ToyFault> => (on === 'invoke' ? { throttle: { kind: 'throttle', retryAfterSec: 0 } } : {}),
  })

  /** Counts, authorises, lets a fault strike, then handles: the pipeline every emulator request takes. */
  const serve =
    (on: ToyTarget, handle: (request: Request, name: string) => Response | Promise<Response>) =>
    async ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
      state.requestCount++
      if (request.method !== 'GET') state.writeCount++
      if (request.headers.get('authorization') !== `Bearer ${TOY_TOKEN}`) {
        return HttpResponse.json({ error: 'Unauthorized' }, { status: 401 })
      }
      const name = typeof params.name === 'string' ? params.name : ''
      const fault = faults.take({ on, line: requestLine(request), functionName: name || undefined })
      const run = async () => handle(request, name)
      return fault ? answerFault(fault, run, renderFault) : run()
    }
  const notFound = (name: string) => HttpResponse.json({ error: 'NotFound', message: `no function ${name}` }, { status: 404 })

  const handlers = [
    http.get(
      `${TOY_ENDPOINT}/functions`,
      serve('control', () => HttpResponse.json({ functions: [...state.functions.keys()] })),
    ),
    http.put(
      `${TOY_ENDPOINT}/functions/:name`,
      serve('control', async (request, name) => {
        state.functions.set(name, (await request.json()) as JsonBodyType)
        return HttpResponse.json({ name })
      }),
    ),
    http.delete(
      `${TOY_ENDPOINT}/functions/:name`,
      serve('control', (_request, name) => (state.functions.delete(name) ? new Response(null, { status: 204 }) : notFound(name))),
    ),
    http.post(
      `${TOY_ENDPOINT}/functions/:name/invoke`,
      serve('invoke', (_request, name) => {
        if (!state.functions.has(name)) return notFound(name)
        state.executions.set(name, (state.executions.get(name) ?? 0) + 1)
        return HttpResponse.json(state.functions.get(name) ?? null)
      }),
    ),
  ]
  const server = emulatorServer(handlers)
  return {
    handlers,
    state,
    faults,
    // The toy API has no queues, so nothing is ever dead-lettered.
    deadLetters: () => [],
    probe: () =>
      stateProbe(state, {
        exists: async (name) => state.functions.has(name),
        functionNames: async () => [...state.functions.keys()],
        deadLetters: async () => [],
      }),
    connect: (overrides) => ({ endpoint: TOY_ENDPOINT, token: TOY_TOKEN, ...overrides }),
    listen: server.listen,
    close: async () => server.close(),
  }
}

import { http } from 'msw'
import { type EmulatorEnv, route } from './router.ts'
import { AwsFault, readJson } from './wire.ts'

const PREFIX = 'Logs_20140328.'

function noGroup(): AwsFault {
  return new AwsFault(400, 'ResourceNotFoundException', 'The specified log group does not exist.')
}

/** CloudWatch Logs (JSON 1.1 protocol): the log groups Lambda writes, read and deleted by the provider. */
export function logsHandlers(env: EmulatorEnv, region: string) {
  const { state } = env
  const operationOf = (request: Request) => (request.headers.get('x-amz-target') ?? '').replace(PREFIX, '')
  return [
    http.post(
      `https://logs.${region}.amazonaws.com/`,
      route(env, 'json-1.1', operationOf, async ({ request }) => {
        const operation = operationOf(request)
        const body = await readJson(request)
        const group = String(body.logGroupName ?? '')
        const reply = (value: unknown) =>
          new Response(JSON.stringify(value), { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' } })
        switch (operation) {
          case 'FilterLogEvents': {
            const events = state.logGroups.get(group)
            if (!events) throw noGroup()
            const start = typeof body.startTime === 'number' ? body.startTime : 0
            const end = typeof body.endTime === 'number' ? body.endTime : Number.POSITIVE_INFINITY
            const limit = typeof body.limit === 'number' ? body.limit : 10_000
            const offset = typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64').toString()) : 0
            const matching = events.filter((event) => event.timestamp >= start && event.timestamp <= end)
            const page = matching.slice(offset, offset + limit)
            const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64') : undefined
            return reply({ events: page, searchedLogStreams: [], ...(next ? { nextToken: next } : {}) })
          }
          case 'DeleteLogGroup':
            if (!state.logGroups.delete(group)) throw noGroup()
            return reply({})
          case 'CreateLogGroup':
            if (state.logGroups.has(group))
              throw new AwsFault(400, 'ResourceAlreadyExistsException', 'The specified log group already exists')
            state.logGroups.set(group, [])
            return reply({})
          default:
            throw new AwsFault(400, 'UnknownOperationException', `Unknown operation ${operation}`)
        }
      }),
    ),
  ]
}

import { randomUUID } from 'node:crypto'
import { http } from 'msw'
import { concurrencyOf } from './concurrency.ts'
import { type EmulatedFunction, type FunctionVersion, lambdaTime, settle, sha256Base64, toConfiguration, touch } from './model.ts'
import { type EmulatorEnv, type RouteContext, route } from './router.ts'
import { FunctionRuntime } from './runtime.ts'
import { checkCreateName, readConfig, readZip } from './validate.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

const ROLE_NOT_ASSUMABLE = 'The role defined for the function cannot be assumed by Lambda.'

/** The function of that name, settled to the current time, or Lambda's 404. */
/** `qualifier`: the version the operation addresses; Invoke's message names `$LATEST` (recorded from AWS). */
export function findFunction(env: EmulatorEnv, name: string | undefined, qualifier?: string): EmulatedFunction {
  const fn = name === undefined ? undefined : env.state.functions.get(name)
  if (!fn) {
    const arn = env.state.functionArn(name ?? '')
    throw new AwsFault(404, 'ResourceNotFoundException', `Function not found: ${qualifier ? `${arn}:${qualifier}` : arn}`)
  }
  settle(fn, env.state.options.stateClock.now())
  return fn
}

/** The runtime that runs a version, started on first use. */
export function runtimeOf(env: EmulatorEnv, fn: EmulatedFunction, version: FunctionVersion): FunctionRuntime {
  version.runtime ??= new FunctionRuntime(
    { name: fn.name, arn: fn.arn, region: env.state.options.region },
    version,
    env.state.options.maxConcurrency,
  )
  return version.runtime
}

function checkRoleAssumable(env: EmulatorEnv, role: string, context: RouteContext): void {
  const known = env.state.roles.get(role.slice(role.lastIndexOf('/') + 1))
  if (context.fault?.kind === 'role-not-assumable' || (known && env.state.options.stateClock.now() < known.assumableAt)) {
    throw new AwsFault(400, 'InvalidParameterValueException', ROLE_NOT_ASSUMABLE)
  }
}

/** Lambda refuses changes until the function is Active and its last update finished. */
function checkUpdatable(fn: EmulatedFunction): void {
  if (fn.state === 'Pending' || fn.lastUpdateStatus === 'InProgress') {
    throw new AwsFault(
      409,
      'ResourceConflictException',
      `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`,
    )
  }
}

function beginUpdate(env: EmulatorEnv, fn: EmulatedFunction, next: FunctionVersion): void {
  fn.next = next
  fn.lastUpdateStatus = 'InProgress'
  fn.updatedAt = env.state.options.stateClock.now() + env.state.options.updateDelayMs
  touch(fn)
}

export function functionHandlers(env: EmulatorEnv, base: string) {
  const { state } = env
  return [
    http.post(
      `${base}/2015-03-31/functions`,
      route(env, 'rest-json', 'CreateFunction', async (context) => {
        // The request limit AWS names (recorded, LocalStack snapshot test_oversized_request_create_lambda).
        const body = await readJson(context.request, { bytes: 70_167_211, operation: 'CreateFunction' })
        const name = checkCreateName(body.FunctionName, state.options.region, state.options.accountId)
        const config = readConfig(body)
        const code = (body.Code ?? {}) as { ZipFile?: unknown }
        const zip = await readZip(code.ZipFile)
        if (state.functions.has(name)) {
          throw new AwsFault(409, 'ResourceConflictException', `Function already exist: ${name}`)
        }
        checkRoleAssumable(env, config.role, context)
        const fn: EmulatedFunction = {
          name,
          arn: state.functionArn(name),
          tags: { ...((body.Tags ?? {}) as Record<string, string>) },
          state: 'Pending',
          activeAt: state.options.stateClock.now() + state.options.stateDelayMs,
          lastUpdateStatus: undefined,
          updatedAt: 0,
          lastModified: lambdaTime(),
          revisionId: randomUUID(),
          live: { config, zip, codeSha256: sha256Base64(zip) },
          next: undefined,
          url: undefined,
          policy: new Map(),
        }
        state.functions.set(name, fn)
        return jsonResponse(201, toConfiguration(fn))
      }),
    ),
    ...['', '/'].map((slash) =>
      http.get(
        `${base}/2015-03-31/functions${slash}`,
        route(env, 'rest-json', 'ListFunctions', async ({ request }) => {
          const query = new URL(request.url).searchParams
          const maxItems = Number(query.get('MaxItems') ?? 50)
          if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
            throw new AwsFault(400, 'InvalidParameterValueException', 'MaxItems must be between 1 and 10000')
          }
          const names = [...state.functions.keys()].sort()
          const marker = query.get('Marker')
          const start = marker ? Number(Buffer.from(marker, 'base64').toString('utf8')) : 0
          if (!Number.isInteger(start) || start < 0) throw new AwsFault(400, 'InvalidParameterValueException', 'Invalid marker')
          const page = names.slice(start, start + maxItems).map((name) => {
            const fn = state.functions.get(name) as EmulatedFunction
            settle(fn, state.options.stateClock.now())
            return toConfiguration(fn)
          })
          const end = start + maxItems
          return jsonResponse(200, {
            Functions: page,
            ...(end < names.length ? { NextMarker: Buffer.from(String(end)).toString('base64') } : {}),
          })
        }),
      ),
    ),
    http.get(
      `${base}/2015-03-31/functions/:name`,
      route(env, 'rest-json', 'GetFunction', async ({ params }) => {
        const fn = findFunction(env, params.name)
        return jsonResponse(200, {
          Configuration: toConfiguration(fn),
          Code: {
            RepositoryType: 'S3',
            Location: `https://awslambda-${state.options.region}-tasks.s3.${state.options.region}.amazonaws.com/snapshots/${state.options.accountId}/${fn.name}-${fn.revisionId}`,
          },
          // No Tags member at all for a function without tags (recorded, LocalStack snapshot
          // test_tag_lifecycle get_fn_response_postuntagall; fidelity/aws/localstack/tag_lifecycle.json).
          ...(Object.keys(fn.tags).length > 0 ? { Tags: { ...fn.tags } } : {}),
          ...concurrencyOf(fn),
        })
      }),
    ),
    http.get(
      `${base}/2015-03-31/functions/:name/configuration`,
      route(env, 'rest-json', 'GetFunctionConfiguration', async ({ params }) =>
        jsonResponse(200, toConfiguration(findFunction(env, params.name))),
      ),
    ),
    http.put(
      `${base}/2015-03-31/functions/:name/code`,
      route(env, 'rest-json', 'UpdateFunctionCode', async ({ params, request }) => {
        const fn = findFunction(env, params.name)
        const body = await readJson(request)
        const zip = await readZip(body.ZipFile)
        checkUpdatable(fn)
        const architectures = (body.Architectures as string[] | undefined) ?? fn.live.config.architectures
        const config = readConfig({ Architectures: architectures }, fn.live.config)
        beginUpdate(env, fn, { config, zip, codeSha256: sha256Base64(zip) })
        return jsonResponse(200, toConfiguration(fn))
      }),
    ),
    http.put(
      `${base}/2015-03-31/functions/:name/configuration`,
      route(env, 'rest-json', 'UpdateFunctionConfiguration', async (context) => {
        const fn = findFunction(env, context.params.name)
        const config = readConfig(await readJson(context.request), fn.live.config)
        checkUpdatable(fn)
        checkRoleAssumable(env, config.role, context)
        beginUpdate(env, fn, { config, zip: fn.live.zip, codeSha256: fn.live.codeSha256 })
        return jsonResponse(200, toConfiguration(fn))
      }),
    ),
    http.delete(
      `${base}/2015-03-31/functions/:name`,
      route(env, 'rest-json', 'DeleteFunction', async ({ params }) => {
        const fn = findFunction(env, params.name)
        state.functions.delete(fn.name)
        // Calls in flight finish; the instances stop afterwards.
        void fn.live.runtime?.retire()
        void fn.next?.runtime?.retire()
        return jsonResponse(204, undefined)
      }),
    ),
  ]
}

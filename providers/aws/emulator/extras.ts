import { randomBytes } from 'node:crypto'
import { http } from 'msw'
import { findFunction } from './functions.ts'
import type { EmulatedFunction } from './model.ts'
import { type EmulatorEnv, route } from './router.ts'
import { AwsFault, jsonResponse, readJson } from './wire.ts'

/**
 * A function URL's configuration. `answer` trims it as each operation answers (recorded, LocalStack
 * snapshot test_url_config_lifecycle, replayed by fidelity/aws/localstack/url_config_lifecycle.json):
 * CreateFunctionUrlConfig has neither LastModifiedTime nor InvokeMode, UpdateFunctionUrlConfig no
 * InvokeMode (the requests set none), GetFunctionUrlConfig both.
 */
function urlConfig(fn: EmulatedFunction, answer: 'create' | 'update' | 'get' = 'get'): Record<string, unknown> {
  const url = fn.url
  if (!url) throw new AwsFault(404, 'ResourceNotFoundException', 'The resource you requested does not exist.')
  return {
    FunctionUrl: url.url,
    FunctionArn: fn.arn,
    AuthType: url.authType,
    CreationTime: url.creationTime,
    ...(answer === 'create' ? {} : { LastModifiedTime: url.lastModifiedTime }),
    ...(answer === 'get' ? { InvokeMode: 'BUFFERED' } : {}),
  }
}

function checkAuthType(value: unknown): string {
  if (value !== 'NONE' && value !== 'AWS_IAM') {
    throw new AwsFault(
      400,
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]`,
    )
  }
  return value
}

function functionOfArn(env: EmulatorEnv, arn: string | undefined): EmulatedFunction {
  return findFunction(env, /function:([^:]+)/.exec(arn ?? '')?.[1])
}

/**
 * Whether the function's resource policy lets `service` (e.g.
 * `sns.amazonaws.com`) invoke it on behalf of `sourceArn`: a statement naming
 * that service whose source ARN, when it has one, is that resource's (the
 * condition AddPermission below writes, as GetPolicy shows it).
 */
export function serviceMayInvoke(fn: EmulatedFunction, service: string, sourceArn: string): boolean {
  return [...fn.policy.values()].some((statement) => {
    const principal = statement.Principal as string | { Service?: string } | undefined
    const named = typeof principal === 'string' ? principal : principal?.Service
    const source = (statement.Condition as { ArnLike?: Record<string, string> } | undefined)?.ArnLike?.['AWS:SourceArn']
    return named === service && statement.Action === 'lambda:InvokeFunction' && (source === undefined || source === sourceArn)
  })
}

/** Tags, function URLs and resource policies: the rest of what the provider touches. */
export function extraHandlers(env: EmulatorEnv, base: string) {
  const { region } = env.state.options
  const urlPath = `${base}/2021-10-31/functions/:name/url`
  return [
    http.get(
      `${base}/2017-03-31/tags/:arn`,
      route(env, 'rest-json', 'ListTags', async ({ params }) =>
        jsonResponse(200, { Tags: { ...functionOfArn(env, params.arn).tags } }),
      ),
    ),
    http.post(
      `${base}/2017-03-31/tags/:arn`,
      route(env, 'rest-json', 'TagResource', async ({ params, request }) => {
        const fn = functionOfArn(env, params.arn)
        Object.assign(fn.tags, (await readJson(request)).Tags as Record<string, string>)
        return jsonResponse(204, undefined)
      }),
    ),
    http.delete(
      `${base}/2017-03-31/tags/:arn`,
      route(env, 'rest-json', 'UntagResource', async ({ params, request }) => {
        const fn = functionOfArn(env, params.arn)
        for (const key of new URL(request.url).searchParams.getAll('tagKeys')) delete fn.tags[key]
        return jsonResponse(204, undefined)
      }),
    ),
    http.post(
      urlPath,
      route(env, 'rest-json', 'CreateFunctionUrlConfig', async ({ params, request }) => {
        const fn = findFunction(env, params.name)
        const authType = checkAuthType((await readJson(request)).AuthType)
        if (fn.url) {
          throw new AwsFault(
            409,
            'ResourceConflictException',
            `Failed to create function url config for [functionArn = ${fn.arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
          )
        }
        const now = new Date().toISOString()
        const id = randomBytes(16).toString('hex')
        fn.url = { authType, url: `https://${id}.lambda-url.${region}.on.aws/`, creationTime: now, lastModifiedTime: now }
        return jsonResponse(201, urlConfig(fn, 'create'))
      }),
    ),
    http.get(
      urlPath,
      route(env, 'rest-json', 'GetFunctionUrlConfig', async ({ params }) => {
        // A missing function reads as a missing URL config here (recorded, LocalStack snapshot
        // test_ops_on_nonexisting_fn[get_function_url_config]).
        if (!env.state.functions.has(params.name ?? '')) {
          throw new AwsFault(404, 'ResourceNotFoundException', 'The resource you requested does not exist.')
        }
        return jsonResponse(200, urlConfig(findFunction(env, params.name)))
      }),
    ),
    http.put(
      urlPath,
      route(env, 'rest-json', 'UpdateFunctionUrlConfig', async ({ params, request }) => {
        const fn = findFunction(env, params.name)
        const authType = checkAuthType((await readJson(request)).AuthType)
        urlConfig(fn)
        if (fn.url) fn.url = { ...fn.url, authType, lastModifiedTime: new Date().toISOString() }
        return jsonResponse(200, urlConfig(fn, 'update'))
      }),
    ),
    http.delete(
      urlPath,
      route(env, 'rest-json', 'DeleteFunctionUrlConfig', async ({ params }) => {
        const fn = findFunction(env, params.name)
        urlConfig(fn)
        fn.url = undefined
        return jsonResponse(204, undefined)
      }),
    ),
    http.post(
      `${base}/2015-03-31/functions/:name/policy`,
      route(env, 'rest-json', 'AddPermission', async ({ params, request }) => {
        const fn = findFunction(env, params.name)
        const body = await readJson(request)
        const id = String(body.StatementId ?? '')
        if (fn.policy.has(id)) {
          throw new AwsFault(
            409,
            'ResourceConflictException',
            `The statement id (${id}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          )
        }
        const statement: Record<string, unknown> = {
          Sid: id,
          Effect: 'Allow',
          Principal: body.Principal,
          Action: body.Action,
          Resource: fn.arn,
        }
        // As GetPolicy shows it: the service may invoke only on behalf of that resource (sns.ts checks it).
        if (typeof body.SourceArn === 'string') statement.Condition = { ArnLike: { 'AWS:SourceArn': body.SourceArn } }
        fn.policy.set(id, statement)
        return jsonResponse(201, { Statement: JSON.stringify(statement) })
      }),
    ),
    http.delete(
      `${base}/2015-03-31/functions/:name/policy/:sid`,
      route(env, 'rest-json', 'RemovePermission', async ({ params }) => {
        const fn = findFunction(env, params.name)
        if (!fn.policy.delete(params.sid ?? '')) {
          throw new AwsFault(404, 'ResourceNotFoundException', `Statement ${params.sid} is not found in resource policy.`)
        }
        return jsonResponse(204, undefined)
      }),
    ),
    http.get(
      `${base}/2015-03-31/functions/:name/policy`,
      route(env, 'rest-json', 'GetPolicy', async ({ params }) => {
        const fn = findFunction(env, params.name)
        if (fn.policy.size === 0)
          throw new AwsFault(404, 'ResourceNotFoundException', 'The resource you requested does not exist.')
        return jsonResponse(200, {
          Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [...fn.policy.values()] }),
          RevisionId: fn.revisionId,
        })
      }),
    ),
  ]
}

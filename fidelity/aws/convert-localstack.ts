/**
 * Converts LocalStack's AWS-validated Lambda snapshots (answers real AWS gave,
 * recorded by LocalStack's test suite) into cloudfn transcripts, so that
 * `cloudfn fidelity fidelity` (and `npm test`) replay them against the AWS emulator.
 *
 * Source: https://github.com/localstack/localstack at commit
 * 8b9a79f05846835cf4dff63ab7eefdde9df83783,
 * tests/aws/services/lambda_/test_lambda_api.snapshot.json (Apache-2.0,
 * Copyright LocalStack contributors). A snapshot keeps the answers only (as
 * boto3 parsed them); the requests are rebuilt here from the same tests in
 * test_lambda_api.py, call by call, with the arguments they pass.
 *
 * Run (from the repository root, Node 22):
 *   git -C <localstack> show 8b9a79f0:tests/aws/services/lambda_/test_lambda_api.snapshot.json > /tmp/api.snapshot.json
 *   npm exec -- node fidelity/aws/convert-localstack.ts /tmp/api.snapshot.json
 *
 * How an answer is rebuilt: the status is `ResponseMetadata.HTTPStatusCode`;
 * an error's code goes to `x-amzn-errortype`, as Lambda sends it, and its body
 * is the fields boto3 kept beside `Error` (Lambda's modelled errors: `Type`,
 * `message` / `Message`), else `{ "message": Error.Message }`. LocalStack's
 * placeholders are filled back: `arn:<partition>:` → `arn:aws:`, `<region>` →
 * us-east-1, the account `111111111111` → `<account-id>` (the replayer fills in
 * the emulator's), and the names the tests generated (`<function-name:1>`,
 * `<resource:1>`, ...) with the names the rebuilt requests use. Values LocalStack
 * replaced by a placeholder without keeping them (`date`, `<uuid:1>`,
 * `<code-sha256:1>`, `lambda-url`) are not compared: each exchange lists the fields it compares.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { strToU8, zipSync } from 'fflate'
import {
  type Exchange,
  parseTranscript,
  type RecordedResponse,
  serializeTranscript,
  TRANSCRIPT_FORMAT,
  type Transcript,
} from '../../conformance/fidelity/transcript.ts'

const COMMIT = '8b9a79f05846835cf4dff63ab7eefdde9df83783'
const FILE = 'tests/aws/services/lambda_/test_lambda_api.snapshot.json'
const REGION = 'us-east-1'
const HOST = `lambda.${REGION}.amazonaws.com`
const ACCOUNT = '<account-id>'
/** LocalStack's `lambda_su_role` fixture: a role of the caller's account. */
const ROLE = `arn:aws:iam::${ACCOUNT}:role/lambda-fidelity-role`
/** A signed request, as the scrubber writes it: the emulator checks the scheme only. */
const AUTH = `AWS4-HMAC-SHA256 Credential=<access-key-id>/20251125/${REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=<signature>`

type Snapshot = Record<string, { 'recorded-date': string; 'recorded-content': Record<string, unknown> }>

// Fixed mtimes: the zips (and so the transcripts) are the same on every run.
const mtime = new Date('2000-01-01T00:00:00Z')
/** test_lambda_api.py's TEST_LAMBDA_PYTHON_ECHO, as the tests zip it (create_lambda_archive: index.py or handler.py). */
const pythonEcho = (file: string) =>
  Buffer.from(zipSync({ [file]: [strToU8('def handler(event, context):\n    return event\n'), { mtime }] })).toString('base64')
/** TEST_LAMBDA_NODEJS (lambda_handler.js). */
const nodeEcho = Buffer.from(
  zipSync({ 'lambda_handler.js': [strToU8('exports.handler = async (event) => event\n'), { mtime }] }),
).toString('base64')

/** A path segment as the SDK encodes it; placeholders stay literal, as the scrubber writes them. */
function enc(name: string): string {
  return encodeURIComponent(name).replaceAll('%3Caccount-id%3E', ACCOUNT)
}

function request(method: string, path: string, body: unknown = null, query: [string, string][] = []): Exchange['request'] {
  const headers: Record<string, string> = { authorization: AUTH }
  if (body !== null) headers['content-type'] = 'application/json'
  return { method, host: HOST, path, query, headers, body: body === null ? null : { json: body } }
}

/** LocalStack's placeholders back to values; `names` maps the test's generated names. */
function fill(value: unknown, names: Record<string, string>): unknown {
  if (typeof value === 'string') {
    let out = value.replaceAll('arn:<partition>:', 'arn:aws:').replaceAll('<region>', REGION).replaceAll('111111111111', ACCOUNT)
    for (const [placeholder, name] of Object.entries(names)) out = out.replaceAll(placeholder, name)
    return out
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, names))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, names)]))
  }
  return value
}

/** An HTTP answer from a boto3 response as LocalStack recorded it. */
function answer(recorded: unknown, names: Record<string, string>): RecordedResponse {
  const {
    ResponseMetadata,
    Error: error,
    ...rest
  } = fill(recorded, names) as Record<string, unknown> & {
    ResponseMetadata: { HTTPStatusCode: number }
    Error?: { Code: string; Message: string | null }
  }
  if (error) {
    const body = Object.keys(rest).length > 0 ? rest : error.Message === null ? {} : { message: error.Message }
    return { status: ResponseMetadata.HTTPStatusCode, headers: { 'x-amzn-errortype': error.Code }, body: { json: body } }
  }
  // A 204 has no body: what boto3 shows (DeleteFunction's StatusCode) is the status itself.
  if (ResponseMetadata.HTTPStatusCode === 204) return { status: 204, headers: {}, body: null }
  return { status: ResponseMetadata.HTTPStatusCode, headers: {}, body: { json: rest } }
}

interface Step {
  request: Exchange['request']
  /** The snapshot key of the answer, or the answer itself where the test asserts rather than snapshots it. */
  recorded?: string | RecordedResponse
  /** Takes the answer from this field of the snapshot entry (LocalStack's fixtures wrap some). */
  within?: string
  fields?: string[]
  note?: string
  poll?: boolean
}

interface Conversion {
  test: string
  names?: Record<string, string>
  steps: Step[]
}

/** The fields of a CreateFunction answer cloudfn reads or sets (providers/aws/deploy.ts, wait.ts), where LocalStack kept the value. */
const CREATE_FIELDS = [
  'FunctionName',
  'FunctionArn',
  'Runtime',
  'Role',
  'Handler',
  'Description',
  'Timeout',
  'MemorySize',
  'Version',
  'PackageType',
  'Architectures',
  'State',
  'StateReason',
  'StateReasonCode',
]

/** LocalStack's create_lambda_function fixture waits with boto3's function_active_v2 waiter: GetFunction until State is Active. */
function waitActive(name: string): Step[] {
  const note =
    "the fixture's function_active_v2 waiter: GetFunction until Configuration.State is Active (its success condition, not a snapshot)"
  const get = request('GET', `/2015-03-31/functions/${enc(name)}`)
  return [
    { request: get, recorded: waiterAnswer('Pending'), fields: ['Configuration.State'], note },
    { request: get, recorded: waiterAnswer('Active'), fields: ['Configuration.State'], note, poll: true },
  ]
}

function waiterAnswer(state: string): RecordedResponse {
  return { status: 200, headers: {}, body: { json: { Configuration: { State: state } } } }
}

/** LocalStack's create_lambda_function fixture: handler.py as handler.handler, python3.12, Timeout 30 unless given. */
function fixtureBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return createBody(name, { Handler: 'handler.handler', Code: { ZipFile: pythonEcho('handler.py') }, Timeout: 30, ...extra })
}

/**
 * The fixture's CreateFunction (its answer wrapped as CreateFunctionResponse, when the test
 * snapshots it: `key`) and its wait for Active.
 */
function fixtureCreate(functionName: string, key: string | undefined, extra: Record<string, unknown> = {}): Step[] {
  const plain = functionName.split(':').at(-1) ?? functionName
  const create = request('POST', CREATE, fixtureBody(functionName, extra))
  return [
    key
      ? { request: create, recorded: key, within: 'CreateFunctionResponse', fields: CREATE_FIELDS }
      : { request: create, note: 'the create_lambda_function fixture (answer not snapshotted)' },
    ...waitActive(plain),
  ]
}

/** test_tag_lifecycle's snapshot_tags_for_resource: ListTags and GetFunction of the ARN. */
function snapshotTags(arn: string, suffix: string): Step[] {
  return [
    { request: request('GET', `/2017-03-31/tags/${enc(arn)}`), recorded: `list_tags_response_${suffix}`, fields: ['Tags'] },
    {
      request: request('GET', `/2015-03-31/functions/${enc(arn)}`),
      recorded: `get_fn_response_${suffix}`,
      fields: ['Tags', 'Configuration.FunctionName', 'Configuration.State'],
    },
  ]
}

const TAG_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-tag-fdl07`

/** boto3's function_updated_v2 waiter: GetFunction until Configuration.LastUpdateStatus is Successful. */
function waitUpdated(name: string): Step[] {
  const note =
    "boto3's function_updated_v2 waiter: GetFunction until Configuration.LastUpdateStatus is Successful (its success condition, not a snapshot)"
  const get = request('GET', `/2015-03-31/functions/${enc(name)}`)
  const answer = (status: string): RecordedResponse => ({
    status: 200,
    headers: {},
    body: { json: { Configuration: { LastUpdateStatus: status } } },
  })
  return [
    { request: get, recorded: answer('InProgress'), fields: ['Configuration.LastUpdateStatus'], note },
    { request: get, recorded: answer('Successful'), fields: ['Configuration.LastUpdateStatus'], note, poll: true },
  ]
}

function createBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    FunctionName: name,
    Handler: 'index.handler',
    Code: { ZipFile: pythonEcho('index.py') },
    PackageType: 'Zip',
    Role: ROLE,
    Runtime: 'python3.12',
    ...extra,
  }
}

const CREATE = '/2015-03-31/functions'
const longSuffix = (() => {
  // test_function_arns: one character over the 140 an ARN may have (the placeholder is 12 characters, as an account id).
  const prefix = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`
  return 'a'.repeat(140 - prefix.length + 1)
})()

/** GetFunction's fields cloudfn reads (providers/aws/deploy.ts, wait.ts, list). */
const GET_FIELDS = [
  'Configuration.FunctionName',
  'Configuration.State',
  'Configuration.LastUpdateStatus',
  'Configuration.Runtime',
  'Configuration.Handler',
  'Configuration.MemorySize',
  'Configuration.Timeout',
  'Configuration.Description',
  'Configuration.Environment.Variables',
  'Code.RepositoryType',
]
/** An update's answer: the new configuration, still InProgress. */
const UPDATE_FIELDS = [
  'FunctionName',
  'State',
  'LastUpdateStatus',
  'LastUpdateStatusReason',
  'LastUpdateStatusReasonCode',
  'Runtime',
  'Handler',
  'MemorySize',
  'Timeout',
  'Description',
  'Environment.Variables',
]

const CONVERSIONS: Conversion[] = [
  {
    test: 'TestLambdaTags::test_tag_lifecycle',
    names: { '<function-name:1>': 'fn-tag-fdl07' },
    steps: [
      ...fixtureCreate('fn-tag-fdl07', undefined, { Tags: { key_a: 'value_a' } }),
      {
        request: request('GET', '/2015-03-31/functions/fn-tag-fdl07'),
        note: "the test reads the function's ARN (not snapshotted)",
      },
      ...snapshotTags(TAG_ARN, 'postfncreate'),
      {
        request: request('POST', `/2017-03-31/tags/${enc(TAG_ARN)}`, {
          Tags: { key_b: 'value_b', key_c: 'value_c', key_d: 'value_d', key_e: 'value_e' },
        }),
        recorded: 'tag_resource_response',
      },
      ...snapshotTags(TAG_ARN, 'postaddtags'),
      {
        request: request('POST', `/2017-03-31/tags/${enc(TAG_ARN)}`, { Tags: { key_b: 'value_b', key_c: 'value_x' } }),
        recorded: 'tag_resource_overwrite',
      },
      ...snapshotTags(TAG_ARN, 'overwrite'),
      {
        request: request('DELETE', `/2017-03-31/tags/${enc(TAG_ARN)}`, null, [
          ['tagKeys', 'key_c'],
          ['tagKeys', 'key_d'],
        ]),
        note: 'untag_resource (not snapshotted)',
      },
      ...snapshotTags(TAG_ARN, 'postuntag'),
      {
        request: request('DELETE', `/2017-03-31/tags/${enc(TAG_ARN)}`, null, [
          ['tagKeys', 'key_a'],
          ['tagKeys', 'key_b'],
          ['tagKeys', 'key_e'],
        ]),
        note: 'untag_resource (not snapshotted)',
      },
      ...snapshotTags(TAG_ARN, 'postuntagall'),
      { request: request('DELETE', '/2015-03-31/functions/fn-tag-fdl07'), note: 'delete_function (not snapshotted)' },
      { request: request('GET', `/2017-03-31/tags/${enc(TAG_ARN)}`), recorded: 'list_tags_postdelete' },
    ],
  },
  {
    test: 'TestLambdaFunction::test_function_lifecycle',
    names: { '<function-name:1>': 'fn-fdl00', '<resource:1>': 'lambda-fidelity-role' },
    steps: [
      ...fixtureCreate('fn-fdl00', 'create_response', { MemorySize: 256, Timeout: 5 }),
      { request: request('GET', '/2015-03-31/functions/fn-fdl00'), recorded: 'get_function_response', fields: GET_FIELDS },
      {
        request: request('PUT', '/2015-03-31/functions/fn-fdl00/configuration', {
          Runtime: 'python3.11',
          Description: 'Changed-Description',
          MemorySize: 512,
          Timeout: 10,
          Environment: { Variables: { ENV_A: 'a' } },
        }),
        recorded: 'update_func_conf_response',
        fields: UPDATE_FIELDS,
      },
      ...waitUpdated('fn-fdl00'),
      {
        request: request('GET', '/2015-03-31/functions/fn-fdl00'),
        recorded: 'get_function_response_postupdate',
        fields: GET_FIELDS,
      },
      {
        // TEST_LAMBDA_PYTHON_VERSION, zipped as create_lambda_archive does (handler.py).
        request: request('PUT', '/2015-03-31/functions/fn-fdl00/code', {
          ZipFile: Buffer.from(
            zipSync({ 'handler.py': [strToU8('def handler(event, context):\n    return {"version": 2}\n'), { mtime }] }),
          ).toString('base64'),
        }),
        recorded: 'update_code_response',
        fields: UPDATE_FIELDS,
      },
      ...waitUpdated('fn-fdl00'),
      {
        request: request('GET', '/2015-03-31/functions/fn-fdl00'),
        recorded: 'get_function_response_postcodeupdate',
        fields: GET_FIELDS,
      },
      { request: request('DELETE', '/2015-03-31/functions/fn-fdl00'), recorded: 'delete_response' },
      { request: request('DELETE', '/2015-03-31/functions/fn-fdl00'), recorded: 'delete_postdelete' },
    ],
  },
  {
    test: 'TestLambdaFunction::test_ops_on_nonexisting_fn',
    names: { '<nonexisting-fn-name>': 'i-dont-exist-fdl01' },
    steps: [
      { request: request('GET', '/2015-03-31/functions/i-dont-exist-fdl01'), recorded: '[get_function]/not_found_exception' },
      {
        request: request('GET', '/2015-03-31/functions/i-dont-exist-fdl01/configuration'),
        recorded: '[get_function_configuration]/not_found_exception',
      },
      {
        request: request('DELETE', '/2015-03-31/functions/i-dont-exist-fdl01'),
        recorded: '[delete_function]/not_found_exception',
      },
      {
        request: request('GET', '/2021-10-31/functions/i-dont-exist-fdl01/url'),
        recorded: '[get_function_url_config]/not_found_exception',
      },
    ],
  },
  {
    test: 'TestLambdaFunction::test_create_lambda_exceptions',
    steps: [
      {
        request: request('POST', CREATE, createBody('invalid-function-fdl02', { Role: 'r1' })),
        recorded: 'invalid_role_arn_exc',
      },
      {
        request: request('POST', CREATE, createBody('invalid-function-fdl02', { Runtime: 'non-existent-runtime' })),
        recorded: 'invalid_runtime_exc',
      },
      {
        request: request('POST', CREATE, createBody('invalid-function-fdl02', { Runtime: 'PYTHON3.9' })),
        recorded: 'uppercase_runtime_exc',
      },
      // empty_architectures is boto3's own parameter validation: nothing was sent.
      {
        request: request('POST', CREATE, createBody('invalid-function-fdl02', { Architectures: ['x86_64', 'arm64'] })),
        recorded: 'multiple_architectures',
      },
      {
        request: request('POST', CREATE, createBody('invalid-function-fdl02', { Architectures: ['X86_64'] })),
        recorded: 'uppercase_architecture',
      },
      {
        request: request(
          'POST',
          CREATE,
          createBody('invalid-function-fdl02', {
            Code: { ZipFile: Buffer.from('this is not a zipfile, just a random string').toString('base64') },
            Runtime: 'python3.9',
          }),
        ),
        recorded: 'invalid_zip_exc',
      },
    ],
  },
  {
    test: 'TestLambdaFunction::test_function_arns',
    names: {
      '<function-name:1>': 'test-function-arn-fdl03',
      '<function-name:2>': 'test-partial-arn-fdl03',
      '<function-name>': longSuffix,
      '<resource:1>': 'lambda-fidelity-role',
    },
    steps: [
      ...fixtureCreate(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:test-function-arn-fdl03`, 'create-function-arn-response'),
      ...fixtureCreate(`${ACCOUNT}:function:test-partial-arn-fdl03`, 'create-function-partial-arn-response'),
      { request: request('POST', CREATE, createBody('invalid:function:name')), recorded: 'invalid_function_name_exc' },
      { request: request('POST', CREATE, createBody('a'.repeat(65))), recorded: 'long_function_name_exc' },
      {
        request: request('POST', CREATE, createBody(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${longSuffix}`)),
        recorded: 'long_function_arn_exc',
      },
      {
        request: request(
          'POST',
          CREATE,
          createBody(`arn:aws:lambda:ap-southeast-1:${ACCOUNT}:function:test-function-arn-fdl03b`),
        ),
        recorded: 'function_arn_other_region_exc',
      },
      {
        // The test's "other account" is 123456789012, the emulator's own: any account but the caller's will do.
        request: request('POST', CREATE, createBody(`arn:aws:lambda:${REGION}:210987654321:function:test-function-arn-fdl03c`)),
        recorded: 'function_arn_other_account_exc',
        note: "the test's other account 123456789012 is written 210987654321 here: the emulator's own account is 123456789012",
      },
    ],
  },
  {
    test: 'TestLambdaFunction::test_invalid_invoke',
    steps: [
      {
        request: request(
          'POST',
          `/2015-03-31/functions/${enc(`arn:aws:lambda:${REGION}:123400000000@function:myfn`)}/invocations`,
          {},
        ),
        recorded: 'invoke_function_name_pattern_exc',
      },
    ],
  },
  {
    test: 'TestLambdaUrl::test_url_config_lifecycle',
    names: { '<resource:1>': 'test-function-fdl05' },
    steps: [
      {
        request: request('POST', CREATE, {
          FunctionName: 'test-function-fdl05',
          Handler: 'lambda_handler.handler',
          Code: { ZipFile: nodeEcho },
          Role: ROLE,
          Runtime: 'nodejs20.x',
          Timeout: 30,
        }),
        note: 'the create_lambda_function fixture (answer not snapshotted)',
      },
      ...waitActive('test-function-fdl05'),
      {
        request: request('POST', '/2021-10-31/functions/test-function-fdl05/url', { AuthType: 'NONE' }),
        recorded: 'url_creation',
        fields: ['AuthType', 'FunctionArn', 'InvokeMode', 'LastModifiedTime'],
      },
      {
        request: request('POST', '/2021-10-31/functions/test-function-fdl05/url', { AuthType: 'NONE' }),
        recorded: 'failed_duplication',
      },
      {
        request: request('GET', '/2021-10-31/functions/test-function-fdl05/url'),
        recorded: 'get_url_config',
        fields: ['AuthType', 'FunctionArn', 'InvokeMode'],
      },
      {
        request: request('PUT', '/2021-10-31/functions/test-function-fdl05/url', { AuthType: 'AWS_IAM' }),
        recorded: 'updated_url_config',
        fields: ['AuthType', 'FunctionArn', 'InvokeMode'],
      },
      {
        request: request('DELETE', '/2021-10-31/functions/test-function-fdl05/url'),
        note: 'delete_function_url_config (not snapshotted)',
      },
      { request: request('GET', '/2021-10-31/functions/test-function-fdl05/url'), recorded: 'failed_getter' },
    ],
  },
  {
    test: 'TestLambdaSizeLimits::test_large_environment_variables_fails',
    steps: [
      {
        request: request(
          'POST',
          CREATE,
          fixtureBody('large-envvar-lambda-fdl06', {
            // 4 KB - 6 bytes of JSON framing - the key: one byte over the 4 KB Lambda measures.
            Environment: { Variables: { LARGE_VAR: 'x'.repeat(4 * 1024 - 6 - 'LARGE_VAR'.length) } },
          }),
        ),
        recorded: 'failed_create_fn_result',
      },
      {
        request: request('GET', '/2015-03-31/functions/large-envvar-lambda-fdl06'),
        recorded: { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: { json: {} } },
        note: 'asserted by the test (ex.match("ResourceNotFoundException")), not snapshotted: status and code only',
      },
    ],
  },
]

function convert(snapshot: Snapshot, conversion: Conversion): Transcript {
  const prefix = `tests/aws/services/lambda_/test_lambda_api.py::${conversion.test}`
  const dates = new Set<string>()
  const exchanges = conversion.steps.map((step): Exchange => {
    const exchange: Exchange = { request: step.request }
    if (typeof step.recorded === 'string') {
      // `[param]/key` names a parametrised test's entry.
      const [, param, key] = /^(?:\[([^\]]+)\]\/)?(.+)$/.exec(step.recorded) ?? []
      const entry = snapshot[param ? `${prefix}[${param}]` : prefix]
      if (!entry || !key) throw new Error(`no snapshot ${prefix} ${step.recorded}`)
      dates.add(entry['recorded-date'])
      let content = entry['recorded-content'][key]
      if (content === undefined) throw new Error(`no key ${key} in ${prefix}`)
      if (step.within) content = (content as Record<string, unknown>)[step.within]
      const response = answer(content, conversion.names ?? {})
      // The fixture's wrapper kept no ResponseMetadata: CreateFunction answers 201.
      exchange.response = response
      exchange.note = `${FILE} ${param ? `[${param}] ` : ''}${key}${step.note ? `; ${step.note}` : ''}`
    } else if (step.recorded) {
      exchange.response = step.recorded
    }
    if (step.note && !exchange.note) exchange.note = step.note
    if (step.fields) exchange.fields = step.fields
    if (step.poll) exchange.poll = true
    return exchange
  })
  return parseTranscript({
    format: TRANSCRIPT_FORMAT,
    provider: 'aws',
    scenario: `localstack ${conversion.test}`,
    source: {
      kind: 'converted',
      at: [...dates].join(', '),
      origin: `https://github.com/localstack/localstack/blob/${COMMIT}/${FILE} (${prefix}; Apache-2.0, Copyright LocalStack contributors)`,
      note: 'Answers real AWS gave, recorded by LocalStack (aws.validated tests); requests rebuilt from test_lambda_api.py by fidelity/aws/convert-localstack.ts',
    },
    exchanges,
  })
}

const [input] = process.argv.slice(2)
if (!input) {
  console.error('usage: node fidelity/aws/convert-localstack.ts <test_lambda_api.snapshot.json>')
  process.exit(2)
}
const snapshot = JSON.parse(readFileSync(input, 'utf8')) as Snapshot
const out = join(import.meta.dirname, 'localstack')
for (const conversion of CONVERSIONS) {
  const name = conversion.test.split('::')[1]?.replace(/^test_/, '') ?? conversion.test
  const file = join(out, `${name}.json`)
  writeFileSync(file, serializeTranscript(convert(snapshot, conversion)))
  console.log(`wrote ${file}`)
}

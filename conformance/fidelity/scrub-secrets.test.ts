import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeTranscript } from './recorder.ts'
import { assertNoLeak, findLeaks, type RawExchange, Scrubber, SecretLeakError } from './scrub.ts'
import { TRANSCRIPT_FORMAT, type Transcript } from './transcript.ts'

/**
 * Secrets whose JSON key does not say so (review of the fidelity loop, #18): each marker sits in
 * one of the places a real run puts a key or a user's environment value, and none may reach a
 * written transcript, in any encoding.
 */
const MARKERS = {
  storageKey: 'MARKERstorageKey0001abcd==',
  connectionKey: 'MARKERconnectionKey0002==',
  textKey: 'MARKERtextOnlyKey0003==',
  functionKey: 'MARKERfunctionKey0004',
  masterKey: 'MARKERmasterKey0005',
  hostFunctionKey: 'MARKERhostFunctionKey0006',
  systemKey: 'MARKERsystemKey0007',
  lambdaEnv: 'MARKERlambdaEnvValue0008',
  gcpEnv: 'MARKERgcpEnvValue0009',
  appSetting: 'MARKERappSettingValue0010',
  siteSetting: 'MARKERsiteConfigSetting0011',
  sasQuery: 'MARKERsasQuerySig0012',
  sasConnection: 'MARKERsasConnectionSig0013',
  sasHeader: 'MARKERsasHeaderSig0014',
} as const

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
const arm = 'https://management.azure.com/subscriptions/3f2b1c9e-1111-4a2b-9c3d-8e7f6a5b4c3d/resourceGroups/rg/providers'

function exchange(
  method: string,
  url: string,
  body: unknown,
  answer: unknown,
  headers: { request?: Record<string, string>; response?: Record<string, string> } = {},
): RawExchange {
  return {
    request: { method, url, headers: headers.request ?? {}, body: bytes(body ?? '') },
    response: { status: 200, headers: headers.response ?? {}, body: bytes(answer ?? '') },
  }
}

const run: RawExchange[] = [
  // Storage listKeys: the key is `keys[].value`.
  exchange('POST', `${arm}/Microsoft.Storage/storageAccounts/st/listKeys?api-version=2023-05-01`, '', {
    keys: [{ keyName: 'key1', value: MARKERS.storageKey, permissions: 'FULL' }],
  }),
  // The site: app settings as `{ name, value }` items, a connection string with an AccountKey among them.
  exchange(
    'PUT',
    `${arm}/Microsoft.Web/sites/app?api-version=2023-12-01`,
    {
      properties: {
        siteConfig: {
          appSettings: [
            {
              name: 'AzureWebJobsStorage',
              value: `DefaultEndpointsProtocol=https;AccountName=st;AccountKey=${MARKERS.connectionKey}`,
            },
            { name: 'GREETING', value: MARKERS.appSetting },
          ],
        },
      },
    },
    { properties: { state: 'Running' } },
  ),
  // Site config app settings as a map (PUT config/appsettings, POST config/appsettings/list).
  exchange('POST', `${arm}/Microsoft.Web/sites/app/config/appsettings/list?api-version=2023-12-01`, '', {
    properties: {
      GREETING: MARKERS.siteSetting,
      WEBSITE_RUN_FROM_PACKAGE: `https://st.blob.core.windows.net/c/a.zip?sv=1&sig=${MARKERS.sasQuery}`,
    },
  }),
  // Function and host keys.
  exchange('POST', `${arm}/Microsoft.Web/sites/app/functions/f/listkeys?api-version=2023-12-01`, '', {
    default: MARKERS.functionKey,
  }),
  exchange('POST', `${arm}/Microsoft.Web/sites/app/host/default/listkeys?api-version=2023-12-01`, '', {
    masterKey: MARKERS.masterKey,
    functionKeys: { default: MARKERS.hostFunctionKey },
    systemKeys: { durabletask_extension: MARKERS.systemKey },
  }),
  // Lambda environment, sent and answered.
  exchange(
    'POST',
    'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions',
    { FunctionName: 'f', Environment: { Variables: { GREETING: MARKERS.lambdaEnv } } },
    { FunctionName: 'f', Environment: { Variables: { GREETING: MARKERS.lambdaEnv } } },
  ),
  // GCP environment, sent and in the operation's answer.
  exchange(
    'POST',
    'https://cloudfunctions.googleapis.com/v2/projects/acme-prod-1234/locations/us-central1/functions?functionId=f',
    { serviceConfig: { environmentVariables: { GREETING: MARKERS.gcpEnv } } },
    { response: { serviceConfig: { environmentVariables: { GREETING: MARKERS.gcpEnv } } } },
  ),
  // Free text: a connection string in an error body, a SAS connection string, a SAS URL in a header, and the
  // storage key and a user's value echoed back where no key says what they are.
  exchange(
    'GET',
    `https://st.blob.core.windows.net/c/a.zip?sv=2022-11-02&sig=${MARKERS.sasQuery}`,
    '',
    `bad DefaultEndpointsProtocol=https;AccountName=st;AccountKey=${MARKERS.textKey};EndpointSuffix=core.windows.net ` +
      `BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=${MARKERS.sasConnection} ` +
      `echo ${MARKERS.storageKey} ${MARKERS.lambdaEnv}`,
    { response: { location: `https://st.blob.core.windows.net/c/b.zip?sv=2022-11-02&sig=${MARKERS.sasHeader}` } },
  ),
]

describe('secrets a JSON key does not name', () => {
  const dir = mkdtemp(join(tmpdir(), 'cloudfn-scrub-'))
  afterAll(async () => rm(await dir, { recursive: true, force: true }))

  const scrubber = new Scrubber()
  const exchanges = scrubber.scrubAll(run)
  const transcript: Transcript = {
    format: TRANSCRIPT_FORMAT,
    provider: 'test',
    scenario: 'secrets',
    source: { kind: 'converted', origin: 'scrub-secrets.test.ts' },
    exchanges,
  }

  it.each(Object.entries(MARKERS))('never writes %s', async (_, marker) => {
    const file = join(await dir, 'secrets.json')
    await writeTranscript(file, transcript, scrubber.secrets)
    const text = await readFile(file, 'utf8')
    expect(findLeaks(text, [{ label: 'marker', value: marker }])).toEqual([])
    expect(text).not.toContain(marker.slice(0, 20))
  })

  it.each(Object.entries(MARKERS))('teaches the leak check %s', (_, marker) => {
    expect(() => assertNoLeak(`{"x":"${marker}"}`, scrubber.secrets, 'a transcript')).toThrow(SecretLeakError)
  })

  it('keeps the names of environment values and the shape of connection strings', () => {
    const [, site, settings, , , lambda, gcp, blob] = exchanges
    expect(site?.request.body).toEqual({
      json: {
        properties: {
          siteConfig: {
            appSettings: [
              { name: 'AzureWebJobsStorage', value: '<env-value>' },
              { name: 'GREETING', value: '<env-value>' },
            ],
          },
        },
      },
    })
    expect(settings?.response?.body).toEqual({
      json: { properties: { GREETING: '<env-value>', WEBSITE_RUN_FROM_PACKAGE: '<env-value>' } },
    })
    expect(lambda?.request.body).toMatchObject({ json: { Environment: { Variables: { GREETING: '<env-value>' } } } })
    expect(lambda?.response?.body).toMatchObject({ json: { Environment: { Variables: { GREETING: '<env-value>' } } } })
    expect(gcp?.request.body).toEqual({ json: { serviceConfig: { environmentVariables: { GREETING: '<env-value>' } } } })
    const text = blob?.response?.body && 'text' in blob.response.body ? blob.response.body.text : ''
    expect(text).toContain('AccountName=st;AccountKey=<secret>;EndpointSuffix=core.windows.net')
    expect(text).toContain('SharedAccessSignature=')
    expect(blob?.request.query).toEqual([
      ['sv', '2022-11-02'],
      ['sig', '<signature>'],
    ])
    expect(blob?.response?.headers.location).toBe('https://st.blob.core.windows.net/c/b.zip?sv=2022-11-02&sig=<signature>')
  })

  it('replaces storage, function and host keys', () => {
    const [keys, , , fn, host] = exchanges
    expect(keys?.response?.body).toEqual({ json: { keys: [{ keyName: 'key1', value: '<secret>', permissions: 'FULL' }] } })
    expect(fn?.response?.body).toEqual({ json: { default: '<secret>' } })
    expect(host?.response?.body).toEqual({
      json: { masterKey: '<secret>', functionKeys: { default: '<secret>' }, systemKeys: { durabletask_extension: '<secret>' } },
    })
  })
})

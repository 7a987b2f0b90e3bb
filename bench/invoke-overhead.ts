/**
 * cloudfn `invoke` against the plainest call a user could make to the same
 * emulated function (the raw SDK for AWS, an authenticated or keyed `fetch`
 * for GCP and Azure), per cloud. The emulators run the deployed artifacts in
 * child processes (one per instance), exactly as the conformance suite uses them.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../providers/aws/emulator/index.ts'
import { aws } from '../providers/aws/index.ts'
import { createAzureEmulator, emulatorCredential } from '../providers/azure/emulator/index.ts'
import { azure } from '../providers/azure/index.ts'
import { functionUrl } from '../providers/azure/names.ts'
import { createGcpEmulator, emulatorAuthClient } from '../providers/gcp/emulator/index.ts'
import { gcp } from '../providers/gcp/index.ts'
import { add } from './functions.ts'
import { compareRates, round2 } from './measure.ts'

const input = { a: 1, b: 2, tags: ['x', 'y', 'z'] }

interface Contest {
  viaCloudfn: () => Promise<unknown>
  raw: () => Promise<unknown>
  close: () => Promise<void>
}

/** Reads the envelope a shim answers with, as a raw caller would. */
async function envelopeValue(response: Response): Promise<unknown> {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
  return (JSON.parse(await response.text()) as { value: unknown }).value
}

const contests: Record<string, () => Promise<Contest>> = {
  async aws() {
    const region = 'eu-west-1'
    const emulator = createAwsEmulator({ region, stateDelayMs: 1, updateDelayMs: 1 })
    emulator.listen()
    const fn = await aws({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2 }).deploy(add)
    const client = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    const payload = new TextEncoder().encode(JSON.stringify(input))
    return {
      viaCloudfn: () => fn.invoke(input),
      raw: async () => {
        const output = await client.send(new InvokeCommand({ FunctionName: fn.name, Payload: payload }))
        return (JSON.parse(new TextDecoder().decode(output.Payload)) as { value: unknown }).value
      },
      close: async () => emulator.close(),
    }
  },
  async gcp() {
    const emulator = createGcpEmulator({ operationDelayMs: 1 })
    emulator.listen()
    const authClient = emulatorAuthClient()
    const cloud = gcp({
      project: 'cloudfn-bench',
      region: 'europe-west1',
      authClient,
      idTokenProvider: emulator.idTokenProvider,
      pollIntervalMs: 2,
    })
    const fn = await cloud.deploy(add)
    // Only HTTP functions show a url; the raw call uses the service URL invoke posts to.
    const url = emulator.state.byShortName(fn.name)?.resource.serviceConfig.uri as string
    const token = await emulator.idTokenProvider(url)
    const body = JSON.stringify(input)
    return {
      viaCloudfn: () => fn.invoke(input),
      raw: async () =>
        envelopeValue(
          await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body }),
        ),
      close: () => emulator.close(),
    }
  },
  async azure() {
    const emulator = createAzureEmulator()
    emulator.listen()
    const cloud = azure({
      subscriptionId: '00000000-0000-4000-8000-000000000000',
      resourceGroup: 'cloudfn-bench',
      location: 'westeurope',
      credential: emulatorCredential(),
      pollIntervalMs: 1,
    })
    const fn = await cloud.deploy(add)
    const site = emulator.state.siteForFunction(fn.name)
    const key = site?.functionKeys.get('cloudfn')?.default ?? ''
    const body = JSON.stringify(input)
    return {
      viaCloudfn: () => fn.invoke(input),
      raw: async () =>
        envelopeValue(
          await fetch(functionUrl(site?.name ?? ''), {
            method: 'POST',
            headers: { 'x-functions-key': key, 'content-type': 'application/json' },
            body,
          }),
        ),
      close: () => emulator.close(),
    }
  },
}

export async function invokeOverheads(): Promise<
  Record<string, { rawCallsPerSec: number; cloudfnCallsPerSec: number; overheadPercent: number }>
> {
  const results: Record<string, { rawCallsPerSec: number; cloudfnCallsPerSec: number; overheadPercent: number }> = {}
  for (const [cloud, start] of Object.entries(contests)) {
    console.log(`${cloud} invoke vs raw call...`)
    const contest = await start()
    try {
      const rates = await compareRates({ raw: contest.raw, cloudfn: contest.viaCloudfn }, { rounds: 7, roundMs: 400 })
      results[cloud] = {
        rawCallsPerSec: Math.round(rates.raw),
        cloudfnCallsPerSec: Math.round(rates.cloudfn),
        overheadPercent: round2((rates.raw / rates.cloudfn - 1) * 100),
      }
    } finally {
      await contest.close()
    }
  }
  return results
}

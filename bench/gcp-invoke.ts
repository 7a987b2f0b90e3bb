/**
 * `node bench/gcp-invoke.ts`: cloudfn's GCP `invoke` against a raw
 * authenticated `fetch` of the same emulated function URL, interleaved in
 * one run (the machine is shared, so only the ratio means something). The
 * emulator runs the deployed artifact in a worker, as the provider's tests do.
 * Imports the sources, since the gcp subpath is not in the build yet.
 */
import { OAuth2Client } from 'google-auth-library'
import { createGcpEmulator } from '../providers/gcp/emulator/index.ts'
import { gcp } from '../providers/gcp/index.ts'
import { add } from './functions.ts'

const input = { a: 1, b: 2, tags: ['x', 'y', 'z'] }
const ROUNDS = 7
const ROUND_MS = 500

async function rate(call: () => Promise<unknown>, ms: number): Promise<number> {
  let count = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    await call()
    count++
  }
  return count / ((performance.now() - started) / 1000)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const emulator = createGcpEmulator({ operationDelayMs: 1 })
const running = await emulator.start()
try {
  const authClient = new OAuth2Client()
  authClient.setCredentials({ access_token: 'bench-access-token', expiry_date: Date.now() + 3_600_000 })
  const cloud = gcp({
    project: 'cloudfn-bench',
    region: 'europe-west1',
    authClient,
    idTokenProvider: emulator.idTokenProvider,
    pollIntervalMs: 2,
  })
  const fn = await cloud.deploy(add)
  const url = fn.url as string
  const token = await emulator.idTokenProvider(url)

  const viaCloudfn = () => fn.invoke(input)
  const raw = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
      body: JSON.stringify(input),
    })
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
    return (JSON.parse(await response.text()) as { value: unknown }).value
  }

  console.log('gcp invoke (calls/s, sequential, median of interleaved rounds)...')
  for (const call of [raw, viaCloudfn]) await rate(call, 300) // warm-up
  const rates: { raw: number[]; cloudfn: number[] } = { raw: [], cloudfn: [] }
  for (let round = 0; round < ROUNDS; round++) {
    rates.raw.push(await rate(raw, ROUND_MS))
    rates.cloudfn.push(await rate(viaCloudfn, ROUND_MS))
  }
  const rawRate = median(rates.raw)
  const cloudfnRate = median(rates.cloudfn)
  const overheadPct = (rawRate / cloudfnRate - 1) * 100
  const result = {
    rawFetchCallsPerSec: Math.round(rawRate),
    cloudfnInvokeCallsPerSec: Math.round(cloudfnRate),
    cloudfnVsRaw: Math.round((cloudfnRate / rawRate) * 100) / 100,
    overheadPercent: Math.round(overheadPct * 10) / 10,
    goalOverheadPercent: 10,
  }
  console.log(JSON.stringify(result, null, 2))
  console.log(
    `\ncloudfn invoke overhead vs raw fetch: ${result.overheadPercent}% (${overheadPct <= 10 ? 'meets' : 'MISSES'} goal of ≤ 10%)`,
  )
  await fn.remove()
} finally {
  await running.close()
}

/**
 * `map()` at scale against a provider that answers after a fixed latency
 * (the mock provider from `cloudfn/testing`, in process): achieved throughput
 * against the ideal `concurrency / latency`, and memory while streaming many
 * inputs from an async iterable through `mapStream`.
 */
import { createCloud, defineFunction } from 'cloudfn'
import { createMockProvider, mockEnvelope } from 'cloudfn/testing'
import { round2 } from './measure.ts'

const LATENCY_MS = 50
const item = defineFunction({ name: 'bench-item', handler: (input: { index: number }) => input })

function slowCloud(latencyMs: number) {
  const provider = createMockProvider({
    capabilities: { maxRequestBytes: 1024, maxResponseBytes: 1024 },
    doInvoke: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, latencyMs))
      return mockEnvelope(JSON.parse(request.payload))
    },
  })
  // The mock records every call; at this scale that record would be the memory being measured.
  provider.calls.push = () => 0
  return createCloud(provider)
}

export async function mapThroughput(items = 10_000, concurrency = 200): Promise<Record<string, number>> {
  const fn = await slowCloud(LATENCY_MS).deploy(item)
  const inputs = Array.from({ length: items }, (_, index) => ({ index }))
  const started = performance.now()
  const results = await fn.map(inputs, { concurrency })
  const seconds = (performance.now() - started) / 1000
  const failed = results.filter((result) => !result.ok).length
  const achieved = items / seconds
  const ideal = concurrency / (LATENCY_MS / 1000)
  return {
    items,
    concurrency,
    latencyMs: LATENCY_MS,
    failed,
    achievedPerSec: Math.round(achieved),
    idealPerSec: ideal,
    ratio: round2(achieved / ideal),
    goalRatio: 0.9,
  }
}

export async function mapStreamMemory(items = 100_000, concurrency = 200): Promise<Record<string, number>> {
  const fn = await slowCloud(1).deploy(item)
  async function* inputs() {
    for (let index = 0; index < items; index++) yield { index }
  }
  global.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  let count = 0
  for await (const result of fn.mapStream(inputs(), { concurrency })) {
    if (result.ok) count++
    if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  return { items, results: count, rssGrowthMb: round2((peak - before) / 1024 / 1024), goalMb: 50 }
}

/**
 * `map()` at scale against a provider that answers after a fixed latency
 * (the mock provider from `cloudfn/testing`, in process): achieved throughput
 * against the ideal `concurrency / latency`, and memory while streaming 100,000
 * and 1,000,000 inputs from an async iterable through `mapStream`.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
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

/**
 * `mapStream` memory at 100,000 and 1,000,000 inputs, each in a fresh process
 * (see map-stream-memory.ts): flat means the second grows no more than the first.
 */
export function mapStreamMemory(): Record<string, number> {
  const run = (items: number) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--expose-gc', fileURLToPath(new URL('./map-stream-memory.ts', import.meta.url)), String(items)],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      ),
    ) as { items: number; results: number; rssGrowthMb: number; heapRetainedAfterGcMb: number }
  const hundredK = run(100_000)
  const million = run(1_000_000)
  return {
    items: hundredK.items,
    results: hundredK.results,
    rssGrowthMb: hundredK.rssGrowthMb,
    heapRetainedAfterGcMb: hundredK.heapRetainedAfterGcMb,
    items1M: million.items,
    results1M: million.results,
    rssGrowthMb1M: million.rssGrowthMb,
    heapRetainedAfterGcMb1M: million.heapRetainedAfterGcMb,
    growth1MVs100k: round2(million.rssGrowthMb / hundredK.rssGrowthMb),
    goalMb: 50,
  }
}

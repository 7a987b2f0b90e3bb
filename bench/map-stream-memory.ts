/**
 * RSS growth while `mapStream` takes `items` inputs from an async iterable
 * (concurrency 200, against the mock provider answering after 1 ms). Run as
 * `node --expose-gc bench/map-stream-memory.ts <items>`: one fresh process per
 * figure, because RSS does not shrink after a run and a second run in the same
 * process would start from the first one's heap. Prints one JSON line.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCloud, defineFunction } from 'cloudfn'
import { createMockProvider, mockEnvelope } from 'cloudfn/testing'
import { round2 } from './measure.ts'

const item = defineFunction({ name: 'bench-item', handler: (input: { index: number }) => input })

export async function mapStreamGrowth(items: number, concurrency = 200): Promise<Record<string, number>> {
  const provider = createMockProvider({
    capabilities: { maxRequestBytes: 1024, maxResponseBytes: 1024 },
    doInvoke: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return mockEnvelope(JSON.parse(request.payload))
    },
  })
  // The mock records every call; at this scale that record would be the memory being measured.
  provider.calls.push = () => 0
  const fn = await createCloud(provider).deploy(item)
  async function* inputs() {
    for (let index = 0; index < items; index++) yield { index }
  }
  global.gc?.()
  const before = process.memoryUsage()
  let peak = before.rss
  let count = 0
  for await (const result of fn.mapStream(inputs(), { concurrency })) {
    if (result.ok) count++
    if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  global.gc?.()
  // Heap still in use after a full collection: what a leak would show, apart from the heap's own growth.
  const retained = process.memoryUsage().heapUsed - before.heapUsed
  return {
    items,
    results: count,
    rssGrowthMb: round2((peak - before.rss) / 1024 / 1024),
    heapRetainedAfterGcMb: round2(retained / 1024 / 1024),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(JSON.stringify(await mapStreamGrowth(Number(process.argv[2] ?? 100_000))))
}

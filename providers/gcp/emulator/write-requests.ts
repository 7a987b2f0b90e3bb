/**
 * Counts the requests in the emulator's own log that could change something,
 * for the conformance probe's `writeCount` (a plan or a dry run must send
 * none). Google's REST APIs read with GET: standard Get and List methods
 * (https://google.aip.dev/131, https://google.aip.dev/132) and the custom read
 * methods these APIs offer (`:getIamPolicy` on Cloud Run v2 and Pub/Sub, see
 * iam-policy.ts); anything else counts as a write.
 *
 * The log keeps the latest 1000 requests; requests that left it before they
 * were looked at count as writes, so the count can only err towards "written".
 */
export interface RequestLog {
  readonly requestCount: number
  readonly requests: ReadonlyArray<{ method: string }>
}

export function writeCounter(log: RequestLog): () => number {
  let seen = 0
  let writes = 0
  return () => {
    const fresh = log.requestCount - seen
    seen = log.requestCount
    if (fresh <= 0) return writes
    const logged = log.requests.slice(Math.max(0, log.requests.length - fresh))
    writes += fresh - logged.length
    for (const request of logged) if (request.method !== 'GET' && request.method !== 'HEAD') writes++
    return writes
  }
}

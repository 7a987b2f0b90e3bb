/**
 * Lambda's REPORT line, the last line of an execution's log (and so of the
 * `X-Amz-Log-Result` tail, Invoke with `LogType: Tail`):
 * `REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t[Init Duration: 150.12 ms\t]`
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html, "Log format").
 * Its Billed Duration is what Lambda charged for: the invoke phase and,
 * since 2025-08-01, a cold start's init phase too
 * (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).
 */
const REPORT = /^REPORT RequestId: (\S+)\t(?:.*\t)?Billed Duration: (\d+) ms\t/m

/** The billed duration of execution `requestId`, read from its log tail; undefined when the tail has no REPORT line for it. */
export function billedMsFromTail(tail: string, requestId: string): number | undefined {
  for (const line of tail.split('\n')) {
    const match = REPORT.exec(line)
    if (match && match[1] === requestId) return Number(match[2])
  }
  return undefined
}

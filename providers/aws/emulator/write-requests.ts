/**
 * Which of the emulator's recorded operations could change something, for
 * the conformance probe's `writeCount` (a plan or a dry run must send none).
 * AWS names its read-only API actions Get*, List* and Describe* across
 * Lambda, IAM, SQS and EventBridge Scheduler (the "Read" and "List" access
 * levels of the Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
 * anything else, invocations included, counts as a write.
 */
const READ_OPERATION = /^(Get|List|Describe)[A-Z]/

export function writeRequests(requestsByOperation: ReadonlyMap<string, number>): number {
  let writes = 0
  for (const [operation, count] of requestsByOperation) if (!READ_OPERATION.test(operation)) writes += count
  return writes
}

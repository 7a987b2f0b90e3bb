/**
 * Which requests to Azure could change something, for the conformance
 * probe's `writeCount` (a plan or a dry run must send none). Azure reads
 * with GET or HEAD, and with POST actions named `list…` that return settings
 * or keys and change nothing (`config/appsettings/list`, `listKeys`,
 * `listFunctionKeys`: the ARM resource provider contract's "list" actions,
 * https://github.com/cloud-and-ai-microsoft/resource-provider-contract/blob/master/v1.0/proxy-api-reference.md#resource-actions);
 * anything else counts as a write.
 */
export function isWriteRequest(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false
  return !(request.method === 'POST' && /\/list[A-Za-z]*$/i.test(new URL(request.url).pathname))
}

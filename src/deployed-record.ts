import type { DeployRequest, FunctionRecord } from './provider.ts'

/**
 * The record a provider reports for what it just deployed from `request`,
 * when the record comes from the request rather than from the cloud's answer
 * (in-process providers, fakes): name, memory, timeout, the env's keys (never
 * its values), config hash and trigger as requested, changed now. `fields`
 * give what only the provider knows (its name, the code hash, a URL) and win.
 */
export function deployedRecord(
  request: DeployRequest,
  fields: Pick<FunctionRecord, 'provider' | 'codeHash'> & Partial<FunctionRecord>,
): FunctionRecord {
  return {
    name: request.name,
    memoryMb: request.memoryMb,
    timeoutSec: request.timeoutSec,
    envKeys: Object.keys(request.env).sort(),
    configHash: request.configHash,
    trigger: request.trigger,
    updatedAt: new Date().toISOString(),
    ...fields,
  }
}

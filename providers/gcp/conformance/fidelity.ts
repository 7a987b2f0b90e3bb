/**
 * GCP in the fidelity loop (record and replay, docs/FIDELITY.md): the emulator
 * a transcript is replayed against, where Google APIs put error codes
 * (`error.status`, AIP-193) and the fields compared.
 */
import { at, bodyJson, firstString } from '../../../conformance/fidelity/compare.ts'
import type { ProviderFidelity } from '../../../conformance/fidelity/provider.ts'
import { createGcpEmulator } from '../emulator/index.ts'

export const gcpFidelity: ProviderFidelity = {
  async replayTarget() {
    const emulator = createGcpEmulator()
    emulator.listen()
    // The emulator serves any project: the scrubber's `<project-id>` becomes one name for the whole replay.
    return { handlers: emulator.handlers, placeholders: { '<project-id>': 'fidelity-project' }, close: () => emulator.close() }
  },
  fields: ['done', 'error.code', 'error.status', 'state', 'response.state', 'serviceConfig.uri', 'buildConfig.runtime'],
  errorCode: (response) =>
    firstString(at(bodyJson(response.body), 'error.status'), at(bodyJson(response.body), '0.error.status')),
  errorMessage: (response) =>
    firstString(at(bodyJson(response.body), 'error.message'), at(bodyJson(response.body), '0.error.message')),
}

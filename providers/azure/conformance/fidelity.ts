/**
 * Azure in the fidelity loop (record and replay, docs/FIDELITY.md): the emulator
 * a transcript is replayed against, where ARM and Storage put error codes
 * (`x-ms-error-code`, `error.code`), the fields compared and the values normalised.
 */
import { at, bodyJson, firstString } from '../../../conformance/fidelity/compare.ts'
import type { ProviderFidelity } from '../../../conformance/fidelity/provider.ts'
import { createAzureEmulator } from '../emulator/index.ts'

export const azureFidelity: ProviderFidelity = {
  async replayTarget() {
    const emulator = createAzureEmulator()
    emulator.listen()
    const fake = '00000000-0000-0000-0000-000000000000'
    return {
      handlers: emulator.handlers,
      placeholders: { '<subscription-id>': fake, '<tenant-id>': fake },
      close: () => emulator.close(),
    }
  },
  fields: ['status', 'properties.provisioningState', 'properties.state', 'kind', 'error.code'],
  errorCode: (response) =>
    response.headers['x-ms-error-code'] ??
    firstString(at(bodyJson(response.body), 'error.code'), at(bodyJson(response.body), 'code')),
  errorMessage: (response) => {
    const body = bodyJson(response.body)
    return firstString(at(body, 'error.message'), at(body, 'message'), at(body, 'Message'))
  },
  // Storage's unquoted etags (0x8D...), in bodies and Last-Modified-like fields.
  normalisers: [{ name: 'storage-etag', pattern: /\b0x8D[0-9A-F]{10,}\b/g, replacement: '<etag>' }],
  // ARM's long-running operations: the status URL the provider polls (learn.microsoft.com, "Track asynchronous Azure operations").
  responseHeaders: ['azure-asyncoperation'],
}

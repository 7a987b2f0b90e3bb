/**
 * AWS in the fidelity loop (record and replay, docs/FIDELITY.md): the emulator
 * a transcript is replayed against, where Lambda and its neighbours put error
 * codes, the fields compared and the values normalised.
 */
import { at, bodyJson, bodyText, firstString } from '../../../conformance/fidelity/compare.ts'
import type { ProviderFidelity } from '../../../conformance/fidelity/provider.ts'
import type { Transcript } from '../../../conformance/fidelity/transcript.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { createAwsEmulator } from '../emulator/index.ts'

/** The region from the first `<service>.<region>.amazonaws.com` host of a transcript. */
function regionOf(transcript: Transcript): string {
  for (const { request } of transcript.exchanges) {
    const match = /^[a-z0-9-]+\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(request.host)
    if (match?.[1]) return match[1]
  }
  return 'us-east-1'
}

export const awsFidelity: ProviderFidelity = {
  async replayTarget(transcript) {
    // Realistic state delays (AWS: about a second Pending) on a manual clock that only the replayer's
    // polls advance: a recorded Pending answer stays Pending on replay however long the machine
    // stalls between two requests (on the wall clock, a stall over a second turned it Active).
    const stateClock = createManualClock()
    const emulator = createAwsEmulator({
      region: regionOf(transcript),
      stateDelayMs: 1000,
      updateDelayMs: 1000,
      roleDelayMs: 0,
      stateClock,
    })
    emulator.listen()
    return {
      handlers: emulator.handlers,
      placeholders: { '<account-id>': emulator.state.options.accountId },
      advance: async (ms) => {
        await stateClock.advance(ms)
      },
      close: () => emulator.close(),
    }
  },
  // Fields of successful answers the provider reads (deploy.ts, wait.ts, url.ts, invoke.ts).
  fields: [
    'FunctionName',
    'Runtime',
    'Handler',
    'Timeout',
    'MemorySize',
    'PackageType',
    'State',
    'StateReason',
    'StateReasonCode',
    'LastUpdateStatus',
    'LastUpdateStatusReason',
    'LastUpdateStatusReasonCode',
    'Configuration.FunctionName',
    'Configuration.State',
    'Configuration.StateReason',
    'Configuration.StateReasonCode',
    'Configuration.LastUpdateStatus',
    'Code.RepositoryType',
    'AuthType',
    'FunctionUrl',
    'FunctionError',
    'errorType',
    'errorMessage',
  ],
  errorCode(response) {
    // rest-json: x-amzn-ErrorType ("Code:http://..."); json-1.1: __type ("ns#Code"); query XML: <Code>.
    const body = bodyJson(response.body)
    const header = response.headers['x-amzn-errortype']?.split(':')[0]
    const type = firstString(at(body, '__type'), at(body, 'code'), at(body, 'Code'))?.split('#').pop()
    return header ?? type ?? /<Code>([^<]+)<\/Code>/.exec(bodyText(response.body))?.[1]
  },
  errorMessage(response) {
    const body = bodyJson(response.body)
    return (
      firstString(at(body, 'message'), at(body, 'Message'), at(body, 'errorMessage')) ??
      /<Message>([^<]*)<\/Message>/.exec(bodyText(response.body))?.[1]
    )
  },
  normalisers: [
    // Lambda function URL hosts: https://<url-id>.lambda-url.<region>.on.aws/
    { name: 'lambda-url-id', pattern: /\b[a-z0-9]{32}(?=\.lambda-url\.)/g, replacement: '<url-id>' },
    // The 12-digit account in an ARN, wherever the scrubber did not already replace it.
    { name: 'arn-account', pattern: /(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)\d{12}(?=:)/g, replacement: '$1<account-id>' },
  ],
}

import { redactSecrets } from '../redact.ts'
import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The user's handler threw. Carries the remote error's name, message and stack. */
export class FunctionError extends CloudfnError {
  static override readonly code = 'FunctionError'
  /** `name` of the error thrown inside the function (`TypeError`, a custom class name, ...). */
  readonly remoteName: string
  readonly remoteMessage: string
  readonly remoteStack: string | undefined
  readonly executionId: string | undefined

  constructor(
    options: Omit<CloudfnErrorOptions, 'message'> & {
      remoteName: string
      remoteMessage: string
      remoteStack?: string | undefined
      executionId?: string | undefined
      functionName: string
    },
  ) {
    super('FunctionError', {
      ...options,
      message: `Function '${options.functionName}' threw ${options.remoteName}: ${options.remoteMessage}`,
    })
    this.remoteName = options.remoteName
    // The handler's own error may quote its env (a connection string in a driver's message).
    this.remoteMessage = redactSecrets(options.remoteMessage)
    this.remoteStack = options.remoteStack === undefined ? undefined : redactSecrets(options.remoteStack)
    this.executionId = options.executionId
  }
}

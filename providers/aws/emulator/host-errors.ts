/**
 * Errors as Lambda's Node.js runtime names and formats them. References:
 * aws-lambda-ric 3.x src/Errors.js (nodejs20.x / nodejs22.x) and 4.x
 * src/utils/errors.ts, error.ts (nodejs24.x), both checked by
 * ric-differential.test.ts.
 */
import { types } from 'node:util'

/** Which runtime interface client a Lambda runtime runs: 3 up to nodejs22.x, 4 from nodejs24.x. */
export type Generation = 3 | 4

export function generationOf(runtime: string): Generation {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1]
  return major !== undefined && Number(major) >= 24 ? 4 : 3
}

/** An error class whose `name` is the runtime's `Runtime.<Kind>`. */
function runtimeError(kind: string) {
  return class extends Error {
    constructor(message?: unknown) {
      super(message === undefined ? undefined : String(message))
      this.name = `Runtime.${kind}`
    }
  }
}

export const ImportModuleError = runtimeError('ImportModuleError')
export const HandlerNotFound = runtimeError('HandlerNotFound')
export const MalformedHandlerName = runtimeError('MalformedHandlerName')
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError')
export const JSONStringifyError = runtimeError('JSONStringifyError')
export const CallbackHandlerDeprecated = runtimeError('CallbackHandlerDeprecated')
export const NodeJsExit = runtimeError('NodeJsExit')
export const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection')

/** 3.x: the text of a promise that never settled before the event loop emptied. */
export const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes'

/** 4.x refuses callback handlers at init (src/context/constants.ts). */
export const CALLBACK_REFUSED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.'

/** 3.x warns about callback handlers at init (src/WarningForCallbackHandlers.js). */
export const CALLBACK_WARNING =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.'

export interface RapidError {
  errorType: string
  errorMessage: string
  trace?: string[]
}

const DEL = /\x7F/g

function isErrorLike(value: unknown): value is { name: string; message: string; stack: string } {
  const v = value as { name?: unknown; message?: unknown; stack?: unknown } | null | undefined
  return (
    Boolean(v?.name && v.message && v.stack) &&
    typeof v?.name === 'string' &&
    typeof v.message === 'string' &&
    typeof v.stack === 'string'
  )
}

/** The body the runtime posts to /invocation/{id}/error or /init/error. */
export function toRapidResponse(error: unknown, generation: Generation): RapidError {
  try {
    if (generation === 3 ? types.isNativeError(error) || isErrorLike(error) : error instanceof Error) {
      const e = error as Error
      return {
        errorType: e.name?.replace(DEL, '%7F'),
        errorMessage: e.message?.replace(DEL, '%7F'),
        trace:
          generation === 3
            ? (e.stack as string).replace(DEL, '%7F').split('\n')
            : (e.stack?.replace(DEL, '%7F').split('\n') ?? []),
      }
    }
    return { errorType: typeof error, errorMessage: generation === 3 ? (error as object).toString() : String(error), trace: [] }
  } catch {
    const errorMessage =
      'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack'
    return generation === 3 ? { errorType: 'handled', errorMessage } : { errorType: 'handled', errorMessage, trace: [] }
  }
}

/** The runtime's `intoError`: anything thrown, as an Error (3.x: `new Error(value)`, 4.x: `new Error(String(value))`). */
export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string)
}

/** The JSON after "Invoke Error" in the text log: the error's own fields and its stack as lines. */
export function toFormatted(error: unknown): string {
  const withFields = (value: unknown): unknown => {
    if (!(value instanceof Error)) return value
    const out: Record<string, unknown> = {
      errorType: value.name,
      errorMessage: value.message,
      code: (value as { code?: unknown }).code,
      ...value,
    }
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n')
    return out
  }
  try {
    return `\t${JSON.stringify(error, (_key, value: unknown) => withFields(value))}`
  } catch {
    return `\t${JSON.stringify(toRapidResponse(error, 3))}`
  }
}

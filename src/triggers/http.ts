import { describeValue, expectKnownKeys, expectPlainObject, fail } from '../validation.ts'
import { branded, HTTP_METHODS, type HttpAuth, type HttpMethod, type HttpTrigger } from './types.ts'

export interface HttpOptions {
  /**
   * `public`: anyone; `key`: callers holding the function's key; `iam`:
   * callers with cloud credentials allowed to invoke (default). Not every
   * cloud offers every mode: see `capabilities.triggers.http.auth`.
   */
  auth?: HttpAuth
  /** Methods the endpoint answers (default: all of them); others get 405. */
  methods?: readonly HttpMethod[]
}

const AUTH_MODES: readonly HttpAuth[] = ['public', 'key', 'iam']

/**
 * Serves the function at an HTTPS URL. Its handler takes a web-standard
 * `Request` and returns a `Response`, identically on every backend; the
 * handle's `url` is the endpoint and `fetch()` calls it with the right
 * credentials. Maps to a Lambda function URL, the 2nd-gen function's URL and
 * an Azure HTTP trigger.
 */
export function http(options: HttpOptions = {}): HttpTrigger {
  const checked = expectPlainObject(options, 'trigger')
  expectKnownKeys(checked, ['auth', 'methods'], 'trigger')
  const auth = checked.auth ?? 'iam'
  if (!AUTH_MODES.includes(auth as HttpAuth)) {
    fail('trigger.auth', `must be one of ${AUTH_MODES.map((mode) => `'${mode}'`).join(', ')} (got ${describeValue(auth)})`)
  }
  let methods: HttpMethod[] = [...HTTP_METHODS]
  if (checked.methods !== undefined) {
    if (!Array.isArray(checked.methods) || checked.methods.length === 0) {
      fail('trigger.methods', `must be a non-empty array of ${HTTP_METHODS.join(', ')}`)
    }
    methods = checked.methods.map((method: unknown, index) => {
      const upper = typeof method === 'string' ? method.toUpperCase() : method
      if (!HTTP_METHODS.includes(upper as HttpMethod)) {
        fail(`trigger.methods[${index}]`, `must be one of ${HTTP_METHODS.join(', ')} (got ${describeValue(method)})`)
      }
      return upper as HttpMethod
    })
    methods = HTTP_METHODS.filter((method) => methods.includes(method))
  }
  return branded({ kind: 'http' as const, auth: auth as HttpAuth, methods: Object.freeze(methods) })
}

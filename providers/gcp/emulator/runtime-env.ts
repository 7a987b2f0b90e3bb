/**
 * The environment of a deployed 2nd-gen function's container, besides the
 * user's own variables:
 * - Cloud Run's container contract (https://cloud.google.com/run/docs/container-contract#env-vars):
 *   PORT, K_SERVICE, K_REVISION, K_CONFIGURATION;
 * - Cloud Run functions' "Runtime environment variables set automatically"
 *   (https://cloud.google.com/functions/docs/configuring/env-var#runtime_environment_variables_set_automatically):
 *   FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, K_SERVICE, K_REVISION, PORT;
 * - the Node.js buildpack's NODE_ENV=production (GoogleCloudPlatform/buildpacks,
 *   cmd/nodejs/npm: set as a default, so the user's own value wins).
 * Platform variables win over the user's: Cloud Run reserves them.
 */
export interface RuntimeEnvSpec {
  service: string
  revisionId: string
  entryPoint: string
  signatureType: 'http' | 'cloudevent'
  env: Readonly<Record<string, string>>
}

export function runtimeEnv(spec: RuntimeEnvSpec): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ...spec.env,
    PORT: '8080',
    K_SERVICE: spec.service,
    K_REVISION: spec.revisionId,
    K_CONFIGURATION: spec.service,
    FUNCTION_TARGET: spec.entryPoint,
    FUNCTION_SIGNATURE_TYPE: spec.signatureType,
  }
}

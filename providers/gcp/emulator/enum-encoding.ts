/**
 * Enums in the JSON of the Cloud Functions v2 REST API. Google APIs write
 * enum values as names ("ACTIVE") unless the request asks for numbers with
 * `$alt=json;enum-encoding=int`, which the `@google-cloud/*` REST clients
 * always do (google-gax, build/src/fallbackRest.js). The emulator keeps
 * numbers, as those clients send them, and writes names for everyone else.
 * Names and numbers: google/cloud/functions/v2/functions.proto.
 */

const ENUMS = {
  state: ['STATE_UNSPECIFIED', 'ACTIVE', 'FAILED', 'DEPLOYING', 'DELETING', 'UNKNOWN'],
  environment: ['ENVIRONMENT_UNSPECIFIED', 'GEN_1', 'GEN_2'],
  severity: ['SEVERITY_UNSPECIFIED', 'ERROR', 'WARNING', 'INFO'],
  dockerRegistry: ['DOCKER_REGISTRY_UNSPECIFIED', 'CONTAINER_REGISTRY', 'ARTIFACT_REGISTRY'],
  vpcConnectorEgressSettings: ['VPC_CONNECTOR_EGRESS_SETTINGS_UNSPECIFIED', 'PRIVATE_RANGES_ONLY', 'ALL_TRAFFIC'],
  ingressSettings: ['INGRESS_SETTINGS_UNSPECIFIED', 'ALLOW_ALL', 'ALLOW_INTERNAL_ONLY', 'ALLOW_INTERNAL_AND_GCLB'],
  securityLevel: ['SECURITY_LEVEL_UNSPECIFIED', 'SECURE_ALWAYS', 'SECURE_OPTIONAL'],
  retryPolicy: ['RETRY_POLICY_UNSPECIFIED', 'RETRY_POLICY_DO_NOT_RETRY', 'RETRY_POLICY_RETRY'],
  operationType: ['OPERATIONTYPE_UNSPECIFIED', 'CREATE_FUNCTION', 'UPDATE_FUNCTION', 'DELETE_FUNCTION'],
  stageName: ['NAME_UNSPECIFIED', 'ARTIFACT_REGISTRY', 'BUILD', 'SERVICE', 'TRIGGER', 'SERVICE_ROLLBACK', 'TRIGGER_ROLLBACK'],
  stageState: ['STATE_UNSPECIFIED', 'NOT_STARTED', 'IN_PROGRESS', 'COMPLETE'],
} as const

type Json = Record<string, unknown>

/** Whether the request asked for enums as numbers (`$alt=json;enum-encoding=int`). */
export function wantsIntEnums(url: URL): boolean {
  return /(?:^|;)enum-encoding=int(?:;|$)/.test(url.searchParams.get('$alt') ?? '')
}

/** The value, a name instead of its number, wherever `table` applies. */
function named(object: Json | undefined, field: string, table: readonly string[]): void {
  const value = object?.[field]
  if (object && typeof value === 'number') object[field] = table[value] ?? value
}

const asObject = (value: unknown): Json | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined

/** A Function resource with its enums as names (a copy). */
export function functionWithNames(resource: unknown): Json {
  const fn = structuredClone(resource) as Json
  named(fn, 'state', ENUMS.state)
  named(fn, 'environment', ENUMS.environment)
  for (const message of (fn.stateMessages as Json[] | undefined) ?? []) named(message, 'severity', ENUMS.severity)
  named(asObject(fn.buildConfig), 'dockerRegistry', ENUMS.dockerRegistry)
  const service = asObject(fn.serviceConfig)
  named(service, 'vpcConnectorEgressSettings', ENUMS.vpcConnectorEgressSettings)
  named(service, 'ingressSettings', ENUMS.ingressSettings)
  named(service, 'securityLevel', ENUMS.securityLevel)
  named(asObject(fn.eventTrigger), 'retryPolicy', ENUMS.retryPolicy)
  return fn
}

/** An Operation with the enums of its metadata (and of a Function it returns) as names (a copy). */
export function operationWithNames(operation: unknown): Json {
  const copy = structuredClone(operation) as Json
  const metadata = asObject(copy.metadata)
  named(metadata, 'operationType', ENUMS.operationType)
  for (const stage of (metadata?.stages as Json[] | undefined) ?? []) {
    named(stage, 'name', ENUMS.stageName)
    named(stage, 'state', ENUMS.stageState)
  }
  const request = asObject(metadata?.requestResource)
  if (metadata && request) metadata.requestResource = functionWithNames(request)
  const response = asObject(copy.response)
  if (response && 'state' in response) copy.response = functionWithNames(response)
  return copy
}

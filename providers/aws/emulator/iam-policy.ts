import type { EmulatedRole } from './state.ts'

interface Statement {
  Effect?: string
  Action?: string | string[]
  Resource?: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

/** The AWS managed policies the provider has ever attached, as what they allow. */
const MANAGED: Record<string, Statement[]> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole': [
    { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: '*' },
  ],
  'arn:aws:iam::aws:policy/service-role/AWSLambdaRole': [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }],
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat())

/** IAM's wildcards: `*` any run of characters, `?` one. */
function matches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 'i').test(value)
}

/** Only the condition the provider uses: StringEquals on aws:ResourceTag/<key>. Anything else never matches. */
function conditionHolds(condition: Statement['Condition'], tags: Record<string, string>): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    if (operator !== 'StringEquals') return false
    for (const [key, expected] of Object.entries(entries)) {
      const tag = /^aws:ResourceTag\/(.+)$/.exec(key)?.[1]
      if (tag === undefined || !list(expected).includes(tags[tag] ?? '\u0000')) return false
    }
  }
  return true
}

/**
 * Whether the role's managed and inline policies allow `action` on the
 * resource with these tags (no Deny statements are modelled: cloudfn writes none).
 */
export function roleAllows(role: EmulatedRole, action: string, resource: string, tags: Record<string, string>): boolean {
  const statements = [
    ...[...role.attachedPolicies].flatMap((arn) => MANAGED[arn] ?? []),
    ...[...role.inlinePolicies.values()].flatMap((document) =>
      list((JSON.parse(document) as { Statement?: Statement[] }).Statement as never),
    ),
  ] as Statement[]
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((pattern) => matches(pattern, action)) &&
      list(statement.Resource).some((pattern) => matches(pattern, resource)) &&
      conditionHolds(statement.Condition, tags),
  )
}

import { type ErrorContext, toCloudfnError } from './errors.ts'
import type { AwsClients } from './sdk.ts'
import type { ResolvedAwsSettings } from './settings.ts'

/** What every part of the provider shares: its settings and lazily loaded SDK clients. */
export interface AwsContext {
  settings: ResolvedAwsSettings
  clients: AwsClients
  /** ARN of the execution role once known (given or created), reused for every deploy. */
  roleArn?: Promise<string> | undefined
  /** ARN of the role EventBridge Scheduler assumes, once known. */
  schedulerRoleArn?: Promise<string> | undefined
  /** SQS queue URLs by queue name, for send(). */
  queueUrls: Map<string, Promise<string>>
}

/** Runs one SDK call and turns its failure into a cloudfn error. */
export async function awsCall<T>(context: ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toCloudfnError(error, context)
  }
}

export function control(operation: string, resource?: string): ErrorContext {
  return { operation, resource, phase: 'control' }
}

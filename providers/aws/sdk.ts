import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { IAMClient } from '@aws-sdk/client-iam'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { S3Client } from '@aws-sdk/client-s3'
import type { SchedulerClient } from '@aws-sdk/client-scheduler'
import type { SNSClient } from '@aws-sdk/client-sns'
import type { SQSClient } from '@aws-sdk/client-sqs'
import { addRequestRetry } from './request-retry.ts'
import type { ResolvedAwsSettings } from './settings.ts'

export type LambdaSdk = typeof import('@aws-sdk/client-lambda')
export type IamSdk = typeof import('@aws-sdk/client-iam')
export type LogsSdk = typeof import('@aws-sdk/client-cloudwatch-logs')
export type SqsSdk = typeof import('@aws-sdk/client-sqs')
export type SchedulerSdk = typeof import('@aws-sdk/client-scheduler')
export type SnsSdk = typeof import('@aws-sdk/client-sns')
export type S3Sdk = typeof import('@aws-sdk/client-s3')

export interface Loaded<C, S> {
  client: C
  sdk: S
}

export interface AwsClients {
  lambda(): Promise<Loaded<LambdaClient, LambdaSdk>>
  iam(): Promise<Loaded<IAMClient, IamSdk>>
  logs(): Promise<Loaded<CloudWatchLogsClient, LogsSdk>>
  sqs(): Promise<Loaded<SQSClient, SqsSdk>>
  scheduler(): Promise<Loaded<SchedulerClient, SchedulerSdk>>
  sns(): Promise<Loaded<SNSClient, SnsSdk>>
  s3(): Promise<Loaded<S3Client, S3Sdk>>
}

function withRequestRetry<C extends { middlewareStack: unknown }>(client: C): C {
  addRequestRetry(client)
  return client
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined
      throw error
    })
    return pending
  }
}

/**
 * The SDK clients, each loaded on the first call that needs it, so importing
 * `cloudfn/aws` stays cheap and invoking never loads IAM, CloudWatch Logs, SQS, SNS, S3 or the Scheduler.
 * The SDK's own retries are off; each call but Invoke is retried on its own
 * by request-retry.ts, inside the core's operation-level policy, and a
 * synchronous invoke is never repeated behind the caller's back.
 */
export function createClients(settings: ResolvedAwsSettings): AwsClients {
  const config = {
    region: settings.region,
    maxAttempts: 1,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  }
  return {
    lambda: once(async () => {
      const sdk = await import('@aws-sdk/client-lambda')
      return { client: withRequestRetry(new sdk.LambdaClient(config)), sdk }
    }),
    iam: once(async () => {
      const sdk = await import('@aws-sdk/client-iam')
      return { client: withRequestRetry(new sdk.IAMClient(config)), sdk }
    }),
    logs: once(async () => {
      const sdk = await import('@aws-sdk/client-cloudwatch-logs')
      return { client: withRequestRetry(new sdk.CloudWatchLogsClient(config)), sdk }
    }),
    sqs: once(async () => {
      const sdk = await import('@aws-sdk/client-sqs')
      return { client: withRequestRetry(new sdk.SQSClient(config)), sdk }
    }),
    scheduler: once(async () => {
      const sdk = await import('@aws-sdk/client-scheduler')
      return { client: withRequestRetry(new sdk.SchedulerClient(config)), sdk }
    }),
    sns: once(async () => {
      const sdk = await import('@aws-sdk/client-sns')
      return { client: withRequestRetry(new sdk.SNSClient(config)), sdk }
    }),
    s3: once(async () => {
      const sdk = await import('@aws-sdk/client-s3')
      return { client: withRequestRetry(new sdk.S3Client(config)), sdk }
    }),
  }
}

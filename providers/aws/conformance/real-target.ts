import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { countRequests } from '../../../conformance/targets/wire-counter.ts'
import { createCloud } from '../../../src/client.ts'
import { createAwsProvider } from '../index.ts'

const STABLE_MS = 5_000
const MAX_WAIT_MS = 60_000

/**
 * Real AWS Lambda, with the SDK's default credential chain. Needs
 * AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and a region
 * (CLOUDFN_AWS_REGION or AWS_REGION); CLOUDFN_AWS_ROLE names an execution
 * role to use instead of creating `cloudfn-lambda-execution`. The probe uses
 * the AWS SDK directly: Lambda for functions, CloudWatch Logs for executions
 * (START lines, which arrive seconds late, so it waits for the count to
 * settle), and Node's HTTP diagnostics channel to count requests sent.
 */
export function awsTarget(): ConformanceTarget {
  const region = process.env.CLOUDFN_AWS_REGION ?? process.env.AWS_REGION
  return {
    name: 'aws',
    realCloud: {
      creates:
        'about 30 small Lambda functions (removed again), their log groups, and the execution role cloudfn-lambda-execution (kept)',
      cost: 'a few hundred invocations of 128-512 MB under 5 s each: within the free tier, cents at most otherwise',
    },
    unavailable() {
      const hasKeys = Boolean(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY)
      if (!hasKeys && !process.env.AWS_PROFILE) {
        return 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to run against real AWS Lambda'
      }
      if (!region) return 'set CLOUDFN_AWS_REGION (or AWS_REGION) to run against real AWS Lambda'
      return undefined
    },
    async setup() {
      const role = process.env.CLOUDFN_AWS_ROLE
      const provider = createAwsProvider({ region: region as string, ...(role ? { role } : {}) })
      const lambdaSdk = await import('@aws-sdk/client-lambda')
      const logsSdk = await import('@aws-sdk/client-cloudwatch-logs')
      const lambda = new lambdaSdk.LambdaClient({ region })
      const logs = new logsSdk.CloudWatchLogsClient({ region })
      const requests = countRequests((host) => host.endsWith('.amazonaws.com'))
      const starts = async (name: string) => {
        let count = 0
        let nextToken: string | undefined
        try {
          do {
            const page = await logs.send(
              new logsSdk.FilterLogEventsCommand({
                logGroupName: `/aws/lambda/${name}`,
                filterPattern: '"START RequestId"',
                nextToken,
              }),
            )
            count += page.events?.length ?? 0
            nextToken = page.nextToken
          } while (nextToken)
        } catch (error) {
          if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error
        }
        return count
      }
      return {
        cloud: createCloud(provider),
        probe: {
          exists: async (name) => {
            try {
              await lambda.send(new lambdaSdk.GetFunctionConfigurationCommand({ FunctionName: name }))
              return true
            } catch (error) {
              if ((error as { name?: string }).name === 'ResourceNotFoundException') return false
              throw error
            }
          },
          executions: async (name) => {
            // CloudWatch Logs is eventually consistent: wait until the count stops changing.
            const deadline = Date.now() + MAX_WAIT_MS
            let last = await starts(name)
            for (;;) {
              await new Promise((resolve) => setTimeout(resolve, STABLE_MS))
              const now = await starts(name)
              if (now === last || Date.now() > deadline) return now
              last = now
            }
          },
          requestCount: async () => requests.count(),
          functionNames: async () => {
            const names: string[] = []
            let marker: string | undefined
            do {
              const page = await lambda.send(new lambdaSdk.ListFunctionsCommand({ Marker: marker }))
              for (const fn of page.Functions ?? []) if (fn.FunctionName) names.push(fn.FunctionName)
              marker = page.NextMarker
            } while (marker)
            return names
          },
        },
        teardown: async () => {
          requests.stop()
          lambda.destroy()
          logs.destroy()
        },
      }
    },
  }
}

/**
 * The `stateClock` option: Lambda's Pending, InProgress and Creating, and IAM's
 * propagation delay, last as long as that clock says, and only that clock. A
 * manual one makes them end when the test moves it, however slow the machine
 * (the fidelity replay relies on it); without the option they run on the wall clock.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { zipSync } from 'fflate'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { type AwsEmulatorOptions, createAwsEmulator, FAKE_CREDENTIALS } from './index.ts'

const region = 'eu-west-1'
const clientConfig = { region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 }
const ROLE = 'arn:aws:iam::123456789012:role/test'
const code = zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => 1') })

/** Every read of the wall clock is an hour after the one before: any delay measured on it is over at once. */
function stallTheWallClock(): void {
  let wall = Date.now()
  vi.spyOn(Date, 'now').mockImplementation(() => {
    wall += 3_600_000
    return wall
  })
}

function start(options: AwsEmulatorOptions) {
  const emulator = createAwsEmulator({ region, ...options })
  emulator.listen()
  const lambda = new LambdaClient(clientConfig)
  const stop = async () => {
    lambda.destroy()
    await emulator.close()
  }
  return { emulator, lambda, stop }
}

const stateOf = async (lambda: LambdaClient, name: string) => {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))
  return [config.State, config.LastUpdateStatus]
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('state delays on a manual stateClock', () => {
  it('Pending and InProgress end when the clock passes the delay, not when the wall clock does', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1))
    const { lambda, stop } = start({ stateDelayMs: 1000, updateDelayMs: 500, stateClock: clock })
    stallTheWallClock()
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'f',
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: code },
        }),
      )
      expect(await stateOf(lambda, 'f')).toEqual(['Pending', undefined])
      await clock.advance(999)
      expect(await stateOf(lambda, 'f')).toEqual(['Pending', undefined])
      await clock.advance(1)
      expect(await stateOf(lambda, 'f')).toEqual(['Active', 'Successful'])

      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Timeout: 7 }))
      await clock.advance(499)
      expect(await stateOf(lambda, 'f')).toEqual(['Active', 'InProgress'])
      await clock.advance(1)
      expect(await stateOf(lambda, 'f')).toEqual(['Active', 'Successful'])
    } finally {
      await stop()
    }
  })

  it('an event source mapping is Creating until the clock passes the delay', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1))
    const { lambda, stop } = start({ stateDelayMs: 1000, stateClock: clock })
    const sqs = new SQSClient(clientConfig)
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'g',
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: code },
        }),
      )
      await clock.advance(1000)
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }))
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))
      stallTheWallClock()
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'g', EventSourceArn: Attributes?.QueueArn, BatchSize: 1 }),
      )
      const mappingState = async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State
      expect(await mappingState()).toBe('Creating')
      await clock.advance(1000)
      expect(await mappingState()).toBe('Enabled')
    } finally {
      sqs.destroy()
      await stop()
    }
  })

  it('a new role is refused until the clock passes the propagation delay', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1))
    const { lambda, stop } = start({ stateDelayMs: 0, roleDelayMs: 10_000, stateClock: clock })
    const iam = new IAMClient({ ...clientConfig, region: 'us-east-1' })
    stallTheWallClock()
    try {
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'fresh', AssumeRolePolicyDocument: '{}' }))
      const create = (name: string) =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Role: Role?.Arn,
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { ZipFile: code },
          }),
        )
      await expect(create('early')).rejects.toThrow('The role defined for the function cannot be assumed by Lambda.')
      await clock.advance(10_000)
      expect((await create('later')).State).toBe('Pending')
    } finally {
      iam.destroy()
      await stop()
    }
  })
})

describe('without a stateClock', () => {
  it('the delays run on the wall clock, as before', async () => {
    const { lambda, stop } = start({ stateDelayMs: 60_000 })
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'w',
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: code },
        }),
      )
      expect(await stateOf(lambda, 'w')).toEqual(['Pending', undefined])
      // An hour of wall time passes between any two reads of it: the minute's delay is over.
      stallTheWallClock()
      expect(await stateOf(lambda, 'w')).toEqual(['Active', 'Successful'])
    } finally {
      await stop()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT, REGION, startEmulated } from '../__fixtures__/setup.ts'
import { GcsModel } from './gcs.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

const auth = { authorization: 'Bearer test-access-token', 'content-type': 'application/json' }
const triggers = (location: string) => `https://eventarc.googleapis.com/v1/projects/${PROJECT}/locations/${location}/triggers`

describe('gcp emulator: Cloud Storage notifications and Eventarc triggers', () => {
  it('notifies OBJECT_FINALIZE per write and OBJECT_DELETE for the generation an overwrite replaces, with the JSON_API_V1 attributes', () => {
    const published: Array<{ topic: string; attributes: Record<string, string>; name: string }> = []
    const gcs = new GcsModel((topic, message) =>
      published.push({
        topic,
        attributes: message.attributes,
        name: (JSON.parse(Buffer.from(message.data, 'base64').toString()) as { name: string }).name,
      }),
    )
    gcs.createBucket(PROJECT, { name: 'notified' })
    gcs.notifications.push({ bucket: 'notified', topic: 't', eventTypes: ['OBJECT_FINALIZE', 'OBJECT_DELETE'] })
    const first = gcs.putObject('notified', 'a.txt', new Uint8Array([1]))
    const second = gcs.putObject('notified', 'a.txt', new Uint8Array([2]))
    gcs.deleteObject('notified', 'a.txt')
    const seen = published.map(({ attributes, name }) => [
      attributes.eventType,
      name,
      attributes.objectGeneration,
      attributes.overwrittenByGeneration,
    ])
    expect(seen).toEqual([
      ['OBJECT_FINALIZE', 'a.txt', first.generation, undefined],
      ['OBJECT_FINALIZE', 'a.txt', second.generation, undefined],
      ['OBJECT_DELETE', 'a.txt', first.generation, second.generation],
      ['OBJECT_DELETE', 'a.txt', second.generation, undefined],
    ])
    expect(published[0]?.attributes).toMatchObject({ payloadFormat: 'JSON_API_V1', bucketId: 'notified', objectId: 'a.txt' })
    expect(BigInt(second.generation) > BigInt(first.generation)).toBe(true)
  })

  it('refuses Cloud Storage triggers Eventarc refuses: a missing bucket, another location, a name filter, a missing service', async () => {
    env.emulator.gcs.createBucket(PROJECT, { name: 'eventarc-bucket', location: REGION })
    const create = async (location: string, id: string, filters: Array<Record<string, string>>, service = 'nope') => {
      const response = await fetch(`${triggers(location)}?triggerId=${id}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ eventFilters: filters, destination: { cloudRun: { service, region: REGION } } }),
      })
      return { status: response.status, message: ((await response.json()) as { error?: { message: string } }).error?.message }
    }
    const type = { attribute: 'type', value: 'google.cloud.storage.object.v1.finalized' }
    expect(await create(REGION, 'a', [type, { attribute: 'bucket', value: 'absent-bucket' }])).toEqual({
      status: 400,
      message: 'Bucket absent-bucket does not exist',
    })
    expect(await create('us', 'b', [type, { attribute: 'bucket', value: 'eventarc-bucket' }])).toEqual({
      status: 400,
      message: `The trigger location us does not match the location ${REGION} of bucket eventarc-bucket`,
    })
    expect(
      await create(REGION, 'c', [type, { attribute: 'bucket', value: 'eventarc-bucket' }, { attribute: 'name', value: 'in/' }]),
    ).toMatchObject({ status: 400, message: expect.stringContaining('"name" is not supported') })
    expect(await create(REGION, 'd', [type, { attribute: 'bucket', value: 'eventarc-bucket' }])).toMatchObject({
      status: 404,
      message: expect.stringContaining('Cloud Run service nope not found'),
    })
    expect(env.emulator.eventarc.triggers.size).toBe(0)
    expect(env.emulator.gcs.notifications).toEqual([])
  })
})

import { createCloud, defineFunction, MissingPackageError } from 'cloudfn'
import { createMockProvider } from 'cloudfn/testing'
import { describe, expect, it } from 'vitest'
import { exitCodeFor } from '../cli/exit-codes.ts'
import { awsPackages } from '../providers/aws/packages.ts'
import { azurePackages } from '../providers/azure/packages.ts'
import { gcpPackages } from '../providers/gcp/packages.ts'
import { isInstalled } from '../src/required-packages.ts'
import { http, queue, schedule } from '../src/triggers/index.ts'

const echo = defineFunction({ name: 'echo', handler: async (input: string) => input })

describe('required packages', () => {
  it('refuses a deploy whose optional package is missing, naming it and the install command, before sending', async () => {
    const provider = createMockProvider({
      requiredPackages: () => [
        { name: 'cloudfn-test-no-such-package', for: 'testing' },
        { name: 'msw', for: 'installed, so not named' },
      ],
    })
    const error = await createCloud(provider)
      .deploy(echo)
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
    expect(MissingPackageError.isInstance(error)).toBe(true)
    const missing = error as MissingPackageError
    expect(missing.code).toBe('MissingPackage')
    expect(missing.packages).toEqual(['cloudfn-test-no-such-package'])
    expect(missing.install).toBe('npm install cloudfn-test-no-such-package')
    expect(missing.message).toContain('cloudfn-test-no-such-package (testing)')
    expect(missing.message).toContain('Run: npm install cloudfn-test-no-such-package')
    expect(missing.message).not.toContain('msw')
    expect(exitCodeFor(missing)).toBe(2)
    expect(provider.calls).toEqual([])
  })

  it('asks the provider with the trigger being deployed', async () => {
    const seen: unknown[] = []
    const provider = createMockProvider({
      requiredPackages: ({ trigger }) => {
        seen.push(trigger?.kind)
        return []
      },
    })
    await createCloud(provider).deploy(defineFunction({ name: 'q', trigger: queue({ name: 'jobs' }), handler: async () => {} }))
    expect(seen).toEqual(['queue'])
  })

  it('resolves packages the way Node resolves a bare import', () => {
    expect(isInstalled('msw')).toBe(true)
    expect(isInstalled('@aws-sdk/client-lambda')).toBe(true)
    expect(isInstalled('cloudfn-test-no-such-package')).toBe(false)
  })

  // The lists name what each provider's sdk.ts and shim really import: every
  // name must be a real package (all are dev dependencies here), and each
  // trigger adds its own client.
  it.each([
    ['aws', awsPackages(undefined), '@aws-sdk/client-lambda'],
    ['aws queue', awsPackages(queue({ name: 'jobs' })), '@aws-sdk/client-sqs'],
    ['aws schedule', awsPackages(schedule('rate(5 minutes)')), '@aws-sdk/client-scheduler'],
    ['aws iam http', awsPackages(http({ auth: 'iam' })), '@smithy/signature-v4'],
    ['gcp', gcpPackages(undefined, {}), 'google-auth-library'],
    ['gcp schedule', gcpPackages(schedule('rate(5 minutes)'), {}), '@google-cloud/scheduler'],
    ['azure', azurePackages(undefined, {}), '@azure/functions'],
    ['azure queue', azurePackages(queue({ name: 'jobs' }), {}), '@azure/storage-queue'],
  ])('%s lists installable packages including the one it needs', (_label, list, expected) => {
    expect(list.map((entry) => entry.name)).toContain(expected)
    for (const entry of list) {
      expect(isInstalled(entry.name), entry.name).toBe(true)
      expect(entry.for.length).toBeGreaterThan(0)
    }
  })

  it('leaves out the credential libraries when credentials are given', () => {
    expect(gcpPackages(undefined, { authClient: {}, idTokenProvider: {} }).map((entry) => entry.name)).not.toContain(
      'google-auth-library',
    )
    expect(azurePackages(undefined, { credential: {} }).map((entry) => entry.name)).not.toContain('@azure/identity')
  })
})

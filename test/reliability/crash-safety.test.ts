/**
 * Crash safety on each emulated cloud: a deploy that stops after creating its
 * first resource leaves only resources tagged as cloudfn's, a rerun of the
 * same deploy converges, and once the function is removed, gc() leaves
 * nothing cloudfn-tagged behind. Every check reads the emulator's own state.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../../providers/aws/emulator/index.ts'
import { createAwsProvider } from '../../providers/aws/index.ts'
import { startKit } from '../../providers/azure/__fixtures__/test-kit.ts'
import { key } from '../../providers/azure/emulator/state.ts'
import { startEmulated } from '../../providers/gcp/__fixtures__/setup.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import type { Provider } from '../../src/provider.ts'
import { REQUEST_RETRY_POLICY } from '../../src/retry.ts'

interface CrashKit {
  provider: Provider
  /** Makes the next deploy fail for good right after its first resource is created. */
  crashAfterFirstResource(): void
  /** What the emulator holds, as `kind:name`, and whether cloudfn's tag or label is on it. */
  resources(): Array<{ resource: string; tagged: boolean }>
  /** What a rerun of an interrupted deploy reports. */
  rerunStatus: 'created' | 'updated'
  close(): Promise<void>
}

/** One attempt, so an injected failure stops the deploy where it struck. */
const once = { retry: { maxAttempts: 1 } }
const retrying = { retry: { baseDelayMs: 1, maxDelayMs: 10, maxAttempts: 5 } }

function awsKit(): CrashKit {
  const emulator = createAwsEmulator({ region: 'eu-west-1', stateDelayMs: 1, updateDelayMs: 1 })
  emulator.listen()
  const { state } = emulator
  const managed = (tags: Record<string, string>) => tags['cloudfn:managed'] === 'true'
  return {
    provider: createAwsProvider({ region: 'eu-west-1', credentials: FAKE_CREDENTIALS, pollIntervalMs: 2 }),
    // The execution role comes first; CreateFunction then fails with a 500.
    // Every attempt of the request fails (each request is retried on its own first).
    crashAfterFirstResource: () =>
      emulator.faults.inject({ on: 'CreateFunction', kind: 'server-error', times: REQUEST_RETRY_POLICY.maxAttempts }),
    resources: () => [
      ...[...state.roles.values()].map((role) => ({
        resource: `role:${role.name}`,
        tagged: role.tags.some((tag) => tag.Key === 'cloudfn:managed' && tag.Value === 'true'),
      })),
      ...[...state.functions.values()].map((fn) => ({ resource: `function:${fn.name}`, tagged: managed(fn.tags) })),
      // Lambda creates log groups untagged; cloudfn removes a function's group with it.
      ...[...state.logGroups.keys()].map((group) => ({ resource: `log-group:${group}`, tagged: false })),
    ],
    rerunStatus: 'created',
    close: () => emulator.close(),
  }
}

async function gcpKit(): Promise<CrashKit> {
  const kit = await startEmulated()
  const { state } = kit.emulator
  return {
    provider: kit.provider,
    // The function resource is created, then its build fails: it stays FAILED.
    crashAfterFirstResource: () => kit.emulator.faults.failOperations(1),
    resources: () =>
      [...state.functions.values()].map(({ resource }) => ({
        resource: `function:${resource.name}`,
        tagged: resource.labels['cloudfn-managed'] === 'true',
      })),
    // The FAILED function exists, so the rerun updates it.
    rerunStatus: 'updated',
    close: () => kit.emulator.close(),
  }
}

function azureKit(): CrashKit {
  const kit = startKit()
  const { state } = kit.emulator
  // The resource group is the user's (gc never deletes one), so it exists before cloudfn runs.
  state.resourceGroups.set(key('cloudfn-tests'), { name: 'cloudfn-tests', location: 'westeurope', tags: {} })
  const managed = (tags: Record<string, string>) => tags['cloudfn:managed'] === 'true'
  return {
    provider: kit.provider,
    // Storage account, container and plan are created; the app itself is refused.
    crashAfterFirstResource: () =>
      kit.emulator.faults.inject({
        on: 'arm',
        kind: 'server-error',
        status: 400,
        code: 'BadRequest',
        match: /^PUT .*\/sites\/cf-/i,
      }),
    resources: () => [
      ...[...state.storageAccounts.values()].flatMap((account) => [
        { resource: `storage-account:${account.name}`, tagged: managed(account.tags) },
        // Containers take no tags: they count as cloudfn's inside its tagged account.
        ...[...account.containers].map((container) => ({ resource: `container:${container}`, tagged: managed(account.tags) })),
      ]),
      ...[...state.plans.values()].map((plan) => ({ resource: `plan:${plan.name}`, tagged: managed(plan.tags) })),
      ...[...state.sites.values()].map((site) => ({ resource: `app:${site.name}`, tagged: managed(site.tags) })),
    ],
    rerunStatus: 'created',
    close: kit.close,
  }
}

const kits: Record<string, () => CrashKit | Promise<CrashKit>> = {
  'aws-emulated': awsKit,
  'gcp-emulated': gcpKit,
  'azure-emulated': azureKit,
}

let open: CrashKit | undefined
afterEach(async () => {
  await open?.close()
  open = undefined
})

describe.each(Object.keys(kits))('crash safety on %s', (target) => {
  it('leaves only tagged resources, converges on a rerun, and gc() removes the rest', { timeout: 120_000 }, async () => {
    const kit = await (kits[target] as () => CrashKit | Promise<CrashKit>)()
    open = kit
    const failing: Cloud = createCloud(kit.provider, once)
    const cloud: Cloud = createCloud(kit.provider, retrying)

    kit.crashAfterFirstResource()
    await expect(failing.deploy(echo)).rejects.toThrow()
    const leftover = kit.resources()
    expect(leftover.length).toBeGreaterThan(0)
    expect(leftover.filter((entry) => !entry.tagged)).toEqual([])

    const fn = await cloud.deploy(echo)
    expect(fn.status).toBe(kit.rerunStatus)
    expect(await fn.invoke({ converged: true })).toEqual({ converged: true })
    expect((await cloud.deploy(echo)).status).toBe('unchanged')

    // Young resources survive a threshold; the function itself is gc's too.
    const young = await cloud.gc({ olderThanMs: 3_600_000 })
    expect(young.removed).toEqual([])
    expect(young.kept).toContain('function:echo')

    expect(await cloud.remove(echo)).toEqual({ removed: true })
    // What remove() leaves (a role, a storage account) is gc's; a dry run only reports it.
    const beforeDryRun = kit.resources()
    const dry = await cloud.gc({ olderThanMs: 0, dryRun: true })
    expect(kit.resources()).toEqual(beforeDryRun)
    const collected = await cloud.gc({ olderThanMs: 0 })
    expect(collected.removed).toEqual(dry.removed)
    expect(kit.resources()).toEqual([])
    expect(await cloud.gc({ olderThanMs: 0 })).toEqual({ removed: [], kept: [] })
  })
})

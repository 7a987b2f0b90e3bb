/**
 * A definition copied by withOverrides under another name, or a module loaded
 * a second time (test runners do: other objects, other closures), deploys and
 * runs the right export on each cloud: the artifact finds it by the name it
 * has in its module. A definition no export holds is refused at deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import type { TargetSession } from '../../conformance/scenario.ts'
import { awsEmulatedTarget } from '../../providers/aws/conformance/emulated-target.ts'
import { azureEmulatedTarget } from '../../providers/azure/conformance/emulated-target.ts'
import { gcpEmulatedTarget } from '../../providers/gcp/conformance/emulated-target.ts'
import { localTarget } from '../../providers/local/conformance/target.ts'
import { defineFunction, withOverrides } from '../../src/index.ts'

const targets = [localTarget('worker'), awsEmulatedTarget(), gcpEmulatedTarget(), azureEmulatedTarget()]

describe.each(targets)('renamed definitions on $name', (target) => {
  let session: TargetSession
  beforeAll(async () => {
    session = await target.setup()
  }, 120_000)
  afterAll(() => session?.teardown())

  it('deploys and invokes a copy of a module loaded twice, under another name', { timeout: 120_000 }, async () => {
    // What a second load of conformance/fixtures/functions.ts holds: a new object and a new closure named 'echo'.
    const secondLoad = defineFunction({ name: 'echo', handler: (input: unknown) => input, entry: echo.entry })
    const renamed = withOverrides(secondLoad, { name: 'renamed-echo' })
    const fn = await session.cloud.deploy(renamed)
    expect(fn.name).toBe('renamed-echo')
    expect(await fn.invoke({ renamed: true })).toEqual({ renamed: true })
    await fn.remove()
  })

  it('refuses a definition no export of its module holds, before sending', { timeout: 120_000 }, async () => {
    const stray = defineFunction({ name: 'stray', handler: () => null, entry: echo.entry })
    await expect(session.cloud.deploy(stray)).rejects.toMatchObject({
      code: 'InvalidArgument',
      check: 'unexported-definition',
      message: expect.stringContaining("function 'stray' is not exported by"),
    })
  })
})

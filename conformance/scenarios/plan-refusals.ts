import assert from 'node:assert/strict'
import type { Cloud } from '../../src/client.ts'
import type { FunctionDefinition } from '../../src/define.ts'

/**
 * Plans, then deploys, a definition the provider refuses: the plan must reject
 * with the deploy's error (same class, code and field), and neither may send
 * a write (`writes` reads the backend's own count, not the API under test).
 */
export async function refusedAlike(
  cloud: Cloud,
  writes: () => number,
  // biome-ignore lint/suspicious/noExplicitAny: any definition's plan and deploy are compared
  definition: FunctionDefinition<any, any, any>,
  name: string,
): Promise<void> {
  const before = writes()
  const planned = await cloud.plan(definition, { name }).then(
    (plan) => plan,
    (error: unknown) => error,
  )
  assert.equal(writes(), before, 'a refused plan sent a write request')
  const deployed = await cloud.deploy(definition, { name }).then(
    (handle) => handle,
    (error: unknown) => error,
  )
  assert.ok(deployed instanceof Error, 'the deploy was expected to be refused')
  assert.equal(writes(), before, 'a refused deploy sent a write request')
  const { code, field } = deployed as Error & { code?: string; field?: string }
  assert.ok(code !== undefined, 'the deploy refused without a typed error')
  assert.ok(planned instanceof deployed.constructor, `the plan answered ${String(planned)} instead of ${deployed.name}`)
  const seen = planned as { code?: string; field?: string }
  assert.deepEqual({ code: seen.code, field: seen.field }, { code, field })
}

import { collect, collectFunctions } from '../../src/gc.ts'
import type { CallOptions, GcOptions, GcResult, ProviderV1 } from '../../src/provider.ts'
import type { LocalContext } from './context.ts'
import { unpackedLeftovers } from './temp-leftovers.ts'

/** Old deployments by age; then (persisted) whatever killed processes left, at any age: nothing can use it. */
export async function collectGarbage(
  context: LocalContext,
  provider: Pick<ProviderV1, 'doList' | 'doRemove'>,
  options: GcOptions,
  callOptions: CallOptions,
): Promise<GcResult> {
  const functions = await collectFunctions(provider, options, callOptions)
  const { persistence } = context
  if (!persistence) return functions
  const leftovers = [...(await persistence.leftovers()), ...(await unpackedLeftovers(options.olderThanMs))]
  const rest = await collect(
    leftovers.map((leftover) => ({ ...leftover, changedAt: new Date(0).toISOString(), unused: true })),
    options,
  )
  return { removed: [...functions.removed, ...rest.removed], kept: [...functions.kept, ...rest.kept] }
}

/**
 * What `import ... from 'cloudfn'` resolves to inside a deployed artifact.
 * Definitions were validated at deploy time, so here `defineFunction` only
 * needs to carry the handler; everything else is the real module, of which
 * tree-shaking keeps only what the function's module really uses.
 */
export * from '../index.ts'

export function defineFunction<T extends { name: string; handler: unknown }>(config: T): T {
  return config
}

/**
 * What `import ... from 'cloudfn'` resolves to inside a deployed artifact.
 * Definitions were validated at deploy time, so here `defineFunction` only
 * needs to carry the handler.
 */
export function defineFunction<T extends { name: string; handler: unknown }>(config: T): T {
  return config
}

export * from '../errors/index.ts'

import { defineFunction } from '../src/define.ts'

/** Hello-world for bench/deploy-emulated.ts, from the sources (no build needed). */
export const deployHello = defineFunction({ name: 'bench-deploy-hello', handler: () => 'hello' })

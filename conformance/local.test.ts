import { localTarget } from './targets/local.ts'
import { runConformance } from './vitest.ts'

runConformance([localTarget('inline'), localTarget('worker')])

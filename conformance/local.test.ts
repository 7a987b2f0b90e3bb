import { runConformance } from './vitest.ts'
import { localTarget } from './targets/local.ts'

runConformance([localTarget('inline'), localTarget('worker')])

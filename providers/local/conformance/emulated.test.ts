import { runConformance } from '../../../conformance/vitest.ts'
import { localTarget } from './target.ts'

runConformance([localTarget('inline'), localTarget('worker')])

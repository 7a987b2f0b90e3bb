import { scenarios } from '../../../conformance/scenarios/index.ts'
import { runConformance } from '../../../conformance/vitest.ts'
import { gcpEmulatedTarget } from './emulated-target.ts'
import { gcpTarget } from './real-target.ts'

runConformance([gcpEmulatedTarget(), gcpTarget()], scenarios)

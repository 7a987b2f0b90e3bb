import { scenarios } from './scenarios/index.ts'
import { gcpTarget } from './targets/gcp.ts'
import { gcpEmulatedTarget } from './targets/gcp-emulated.ts'
import { runConformance } from './vitest.ts'

runConformance([gcpEmulatedTarget(), gcpTarget()], scenarios)

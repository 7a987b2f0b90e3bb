import { azureEmulatedTarget } from './targets/azure-emulated.ts'
import { runConformance } from './vitest.ts'

runConformance([azureEmulatedTarget()])

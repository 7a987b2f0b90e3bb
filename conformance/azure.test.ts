import { azureTarget } from './targets/azure.ts'
import { runConformance } from './vitest.ts'

// Skipped, with the reason printed, unless Azure credentials are in the environment.
runConformance([azureTarget()])

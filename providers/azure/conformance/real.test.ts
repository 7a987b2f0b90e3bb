import { runConformance } from '../../../conformance/vitest.ts'
import { azureTarget } from './real-target.ts'

// Skipped, with the reason printed, unless Azure credentials are in the environment.
runConformance([azureTarget()])

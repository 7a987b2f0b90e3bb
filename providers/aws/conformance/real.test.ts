import { runConformance } from '../../../conformance/vitest.ts'
import { awsTarget } from './real-target.ts'

// Real AWS Lambda: skipped, with the reason printed, unless AWS credentials and a region are set.
runConformance([awsTarget()])

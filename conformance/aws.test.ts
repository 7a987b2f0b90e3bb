import { awsTarget } from './targets/aws.ts'
import { runConformance } from './vitest.ts'

// Real AWS Lambda: skipped, with the reason printed, unless AWS credentials and a region are set.
runConformance([awsTarget()])

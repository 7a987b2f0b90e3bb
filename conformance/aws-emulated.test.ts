import { awsEmulatedTarget } from './targets/aws-emulated.ts'
import { runConformance } from './vitest.ts'

runConformance([awsEmulatedTarget()])

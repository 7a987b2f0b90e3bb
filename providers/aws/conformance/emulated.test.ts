import { runConformance } from '../../../conformance/vitest.ts'
import { awsEmulatedTarget } from './emulated-target.ts'

runConformance([awsEmulatedTarget()])

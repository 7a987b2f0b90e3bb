import { runConformanceUnderFaults } from '../../../conformance/targets/faulty.ts'
import { awsEmulatedTarget } from './emulated-target.ts'

runConformanceUnderFaults(awsEmulatedTarget())

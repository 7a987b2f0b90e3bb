import { runConformanceUnderFaults } from '../../../conformance/targets/faulty.ts'
import { gcpEmulatedTarget } from './emulated-target.ts'

runConformanceUnderFaults(gcpEmulatedTarget())

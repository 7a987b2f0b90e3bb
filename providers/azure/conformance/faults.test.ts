import { runConformanceUnderFaults } from '../../../conformance/targets/faulty.ts'
import { azureEmulatedTarget } from './emulated-target.ts'

runConformanceUnderFaults(azureEmulatedTarget())

import { runConformance } from '../../../conformance/vitest.ts'
import { azureEmulatedTarget } from './emulated-target.ts'

runConformance([azureEmulatedTarget()])

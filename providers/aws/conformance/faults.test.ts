import { vi } from 'vitest'
import { runConformanceUnderFaults } from '../../../conformance/targets/faulty.ts'
import { awsEmulatedTarget } from './emulated-target.ts'

vi.mock(import('../emulator/index.ts'), async (original) =>
  (await import('../../../conformance/targets/faulty.ts')).recordingEmulators(await original(), 'createAwsEmulator'),
)

runConformanceUnderFaults(awsEmulatedTarget())

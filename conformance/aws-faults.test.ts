import { vi } from 'vitest'
import { awsEmulatedTarget } from './targets/aws-emulated.ts'
import { runConformanceUnderFaults } from './targets/faulty.ts'

vi.mock(import('../providers/aws/emulator/index.ts'), async (original) =>
  (await import('./targets/faulty.ts')).recordingEmulators(await original(), 'createAwsEmulator'),
)

runConformanceUnderFaults(awsEmulatedTarget())

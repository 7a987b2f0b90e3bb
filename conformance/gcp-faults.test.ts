import { vi } from 'vitest'
import { runConformanceUnderFaults } from './targets/faulty.ts'
import { gcpEmulatedTarget } from './targets/gcp-emulated.ts'

vi.mock(import('../providers/gcp/emulator/index.ts'), async (original) =>
  (await import('./targets/faulty.ts')).recordingEmulators(await original(), 'createGcpEmulator'),
)

runConformanceUnderFaults(gcpEmulatedTarget())

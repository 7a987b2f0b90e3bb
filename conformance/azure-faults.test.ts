import { vi } from 'vitest'
import { azureEmulatedTarget } from './targets/azure-emulated.ts'
import { runConformanceUnderFaults } from './targets/faulty.ts'

vi.mock(import('../providers/azure/emulator/index.ts'), async (original) =>
  (await import('./targets/faulty.ts')).recordingEmulators(await original(), 'createAzureEmulator'),
)

runConformanceUnderFaults(azureEmulatedTarget())

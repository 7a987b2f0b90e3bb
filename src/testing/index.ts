export { createManualClock, type ManualClock, type ScheduledJob, type TriggerClock } from '../triggers/clock.ts'
export {
  createMockProvider,
  MOCK_CAPABILITIES,
  type MockProvider,
  type MockProviderOptions,
  mockEnvelope,
} from './mock-provider.ts'

export {
  createMockProvider,
  MOCK_CAPABILITIES,
  type MockProvider,
  type MockProviderOptions,
  mockEnvelope,
} from './mock-provider.ts'

export { type BilledExecution, billExecution, estimateBilledMs, FREE_TIER_LEFT_OUT, NO_CHARGE_RULE } from './bill.ts'
export { CostLedger, type SnapshotOptions } from './ledger.ts'
export type * from './types.ts'

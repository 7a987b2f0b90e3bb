export {
  type BilledExecution,
  billExecution,
  estimateBilledMs,
  FETCH_MEASURED,
  FREE_TIER_LEFT_OUT,
  fetchBillingRule,
  NO_CHARGE_RULE,
} from './bill.ts'
export { CostLedger, type SnapshotOptions, UNPRICED_NOTE } from './ledger.ts'
export type * from './types.ts'

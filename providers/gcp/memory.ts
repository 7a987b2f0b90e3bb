/**
 * `serviceConfig.availableMemory` is a quantity string. cloudfn writes `<MB>Mi`;
 * values set elsewhere (gcloud writes `256M`, the console `1Gi`) are read
 * back as the megabytes their author meant, treating decimal and binary
 * suffixes alike so `256M` and `256Mi` both read as 256.
 */
export function formatMemory(memoryMb: number): string {
  return `${memoryMb}Mi`
}

const UNITS: Record<string, number> = { '': 1 / (1024 * 1024), k: 1 / 1024, Ki: 1 / 1024, M: 1, Mi: 1, G: 1024, Gi: 1024 }

export function parseMemoryMb(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*(k|Ki|M|Mi|G|Gi)?$/.exec(value.trim())
  if (!match) return undefined
  const factor = UNITS[match[2] ?? '']
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor)
}

/**
 * gc on GCP. A cloudfn function is one labelled resource (`cloudfn-managed`):
 * Cloud Functions owns its build, image and Cloud Run service and deletes them
 * with it. A deploy that crashed mid-way leaves that function (FAILED, or
 * ACTIVE without its last change), which a rerun repairs and gc collects once
 * old enough.
 */
import { collect, functionCandidate } from '../../src/gc.ts'
import type { GcOptions, GcResult } from '../../src/provider.ts'
import { type ControlPlane, listManaged } from './control-plane.ts'
import { toRecord } from './record.ts'

export async function collectGarbage(
  plane: ControlPlane,
  options: GcOptions,
  remove: (name: string) => Promise<unknown>,
): Promise<GcResult> {
  const functions = await listManaged(plane)
  return collect(
    functions.map((fn) => functionCandidate(toRecord(fn), remove)),
    options,
  )
}

/**
 * Queue ownership, one rule for every provider. A queue trigger's queues
 * (the one it reads and the one that keeps failed messages) belong to the
 * function cloudfn made them for, and say so with a marker the cloud keeps
 * on the queue itself:
 *
 * - AWS: two SQS tags (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-tags.html:
 *   keys up to 128 and values up to 256 characters, case-sensitive, 50 per queue);
 * - GCP: two Pub/Sub labels on the topic and on the dead-letter keeper subscription
 *   (https://cloud.google.com/pubsub/docs/labels: keys and values up to 63 lowercase
 *   letters, digits, `-` or `_`, 64 labels per resource);
 * - Azure: two metadata entries on the storage queue (ARM `QueueProperties.metadata`,
 *   azure-rest-api-specs Microsoft.Storage queue.json; names are C# identifiers,
 *   case-insensitive when read, https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata);
 * - local: the fake's own registry.
 *
 * The rule: before a deploy changes anything, each queue it needs is either
 * absent (created, marked for the function), the function's own (adopted: kept
 * with its messages), or refused with a `ConflictError` that names the queue
 * and what to do: one cloudfn did not make would have its settings rewritten
 * and be deleted with the function; another function's would be shared and
 * lost when either goes. Removal deletes only the queues marked for the
 * function being removed, never a foreign one nor another function's, even
 * when the function's record still names them.
 *
 * Providers implement only the cloud I/O (`QueueOwnershipIo`).
 */
import { ConflictError } from '../errors/conflict.ts'

/** How a cloud spells cloudfn's marker: two keys of its tags, labels or metadata. */
export interface QueueMarkerKeys {
  /** Key whose value `'true'` says cloudfn made the queue. */
  readonly managed: string
  /** Key whose value is the name of the function the queue belongs to. */
  readonly function: string
  /** Keys compare without case (Azure metadata names are case-insensitive when read). */
  readonly ignoreCase?: boolean
}

/** Who a queue belongs to, as its marker says. */
export type QueueOwner =
  | { readonly kind: 'absent' }
  /** The queue exists without cloudfn's marker: another tool or person made it. */
  | { readonly kind: 'foreign' }
  | { readonly kind: 'function'; readonly functionName: string }

/** One queue a function's trigger needs. */
export interface QueueClaim {
  readonly name: string
  /** What the function uses it for. */
  readonly role: 'queue' | 'dead-letter'
  /** The cloud's word for it in messages, e.g. `SQS queue`, `Pub/Sub topic`. */
  readonly resource: string
}

/** What the deploy does with a claimed queue. */
export type QueueDecision = 'create' | 'adopt'

/** The cloud I/O behind the rule: the only part a provider writes. */
export interface QueueOwnershipIo {
  /** Who the queue belongs to, read from the cloud (see `ownerFromMarker`). */
  owner(claim: QueueClaim): Promise<QueueOwner>
  /** Deletes the queue; one already gone is fine. */
  delete(claim: QueueClaim): Promise<void>
}

export const ABSENT: QueueOwner = { kind: 'absent' }

/** The marker entries to put on a queue made for `functionName`. */
export function queueMarker(keys: QueueMarkerKeys, functionName: string): Record<string, string> {
  return { [keys.managed]: 'true', [keys.function]: functionName }
}

/** Who an existing queue belongs to by its marker; `undefined` marker entries mean the queue does not exist. */
export function ownerFromMarker(keys: QueueMarkerKeys, marker: Readonly<Record<string, string>> | undefined): QueueOwner {
  if (marker === undefined) return ABSENT
  const read = (key: string) =>
    keys.ignoreCase
      ? Object.entries(marker).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1]
      : Object.hasOwn(marker, key)
        ? marker[key]
        : undefined
  const functionName = read(keys.function)
  return read(keys.managed) === 'true' && functionName ? { kind: 'function', functionName } : { kind: 'foreign' }
}

/** The claims of a queue trigger whose queues are named `names` (see `queueNames`), the dead-letter one second. */
export function queueClaims(names: { queue: string; deadLetter: string }, resource: string): QueueClaim[] {
  return [
    { name: names.queue, role: 'queue', resource },
    { name: names.deadLetter, role: 'dead-letter', resource },
  ]
}

/**
 * The decision for one queue: create an absent one, adopt the function's
 * own, refuse anything else (not retryable: waiting does not free it).
 */
export function decideQueue(claim: QueueClaim, owner: QueueOwner, functionName: string, provider: string): QueueDecision {
  if (owner.kind === 'absent') return 'create'
  if (owner.kind === 'function' && owner.functionName === functionName) return 'adopt'
  const what = `${claim.resource} '${claim.name}'${claim.role === 'dead-letter' ? ` (the dead-letter queue of '${functionName}')` : ''}`
  const option =
    claim.role === 'dead-letter' ? 'queue({ deadLetter }) where the cloud allows it, or queue({ name })' : 'queue({ name })'
  throw new ConflictError({
    provider,
    isRetryable: false,
    message:
      owner.kind === 'foreign'
        ? `${what} exists but was not created by cloudfn, which neither takes over nor deletes a queue it did not make; give '${functionName}' another queue (${option}) or delete that queue first`
        : `${what} belongs to function '${owner.functionName}'; give '${functionName}' another queue (${option}) or remove '${owner.functionName}' first`,
  })
}

/**
 * Reads every claimed queue's owner and decides, before the deploy changes
 * anything: resolves with the decision per claim, or throws the first
 * refusal (`ConflictError`).
 */
export async function claimQueues(
  io: Pick<QueueOwnershipIo, 'owner'>,
  claims: readonly QueueClaim[],
  functionName: string,
  provider: string,
): Promise<Map<QueueClaim, QueueDecision>> {
  const decisions = new Map<QueueClaim, QueueDecision>()
  for (const claim of claims) decisions.set(claim, decideQueue(claim, await io.owner(claim), functionName, provider))
  return decisions
}

/**
 * Deletes the claimed queues that belong to `functionName` and leaves every
 * other one (foreign, another function's, already gone); `keep` names queues
 * the function still uses. Resolves with the names deleted.
 */
export async function releaseQueues(
  io: QueueOwnershipIo,
  claims: readonly QueueClaim[],
  functionName: string,
  keep: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const deleted: string[] = []
  const seen = new Set<string>()
  for (const claim of claims) {
    const key = `${claim.resource}\0${claim.name}`
    if (keep.has(claim.name) || seen.has(key)) continue
    seen.add(key)
    const owner = await io.owner(claim)
    if (owner.kind !== 'function' || owner.functionName !== functionName) continue
    await io.delete(claim)
    deleted.push(claim.name)
  }
  return deleted
}

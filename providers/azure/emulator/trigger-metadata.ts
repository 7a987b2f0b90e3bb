/**
 * The binding data the host sends with a storage-queue invocation, as the
 * queue extension names it (Azure/azure-sdk-for-net,
 * Microsoft.Azure.WebJobs.Extensions.Storage.Queues `QueueTriggerBindingDataProvider`:
 * QueueTrigger, DequeueCount, ExpirationTime, Id, InsertionTime,
 * NextVisibleTime, PopReceipt) and as the host's ToRpc types it: strings as
 * `string`, the count as `int`, DateTimeOffsets as JSON (`"...+00:00"`). The
 * `@azure/functions` library camel-cases the keys into
 * `context.triggerMetadata` (dequeueCount, id, insertionTime ...).
 */
import type { RpcData } from './protocol.ts'

/** A DateTimeOffset as Json.NET writes it (storage times have whole seconds). */
const dateTimeOffset = (ms: number) => JSON.stringify(new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'))

export function queueTriggerMetadata(
  message: { id: string; popReceipt: string; dequeueCount: number; insertedAt: number; expiresAt: number; visibleAt: number },
  text: string,
): Record<string, RpcData> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { int: message.dequeueCount },
    ExpirationTime: { json: dateTimeOffset(message.expiresAt) },
    Id: { string: message.id },
    InsertionTime: { json: dateTimeOffset(message.insertedAt) },
    NextVisibleTime: { json: dateTimeOffset(message.visibleAt) },
    PopReceipt: { string: message.popReceipt },
  }
}

/**
 * The blobs of the emulated storage accounts, by account and container
 * (containers themselves are `StorageAccountState.containers`, shared with
 * ARM's blobContainers). Written by the Blob service (blob-service.ts) and by
 * Event Grid's dead-lettering (eventgrid.ts).
 */
import { createHash, randomBytes } from 'node:crypto'

export interface BlobState {
  name: string
  bytes: Uint8Array
  contentType: string
  /** Quoted, as the service sends it: `"0x8D..."`. */
  etag: string
  /** Base64 MD5 of the bytes, which the service computes for a Put Blob. */
  contentMd5: string
  createdAt: number
  modifiedAt: number
  metadata: Record<string, string>
}

/** A fresh ETag in the service's format (a quoted hex number), new on every write. */
export function newEtag(): string {
  return `"0x8D${randomBytes(6).toString('hex').toUpperCase()}"`
}

/** A blob written or deleted through the data plane (what Blob Storage reports to Event Grid as BlobCreated / BlobDeleted). */
export interface BlobChange {
  account: string
  container: string
  blob: string
  kind: 'created' | 'deleted'
  at: number
  state: BlobState
  /** The request's `x-ms-client-request-id` (the SDK sends one), which the event's data carries as `clientRequestId`. */
  clientRequestId?: string | undefined
}

/** A container's own properties, the same whether ARM (blobContainers) or the data plane made or reads it. */
export interface ContainerInfo {
  etag: string
  modifiedAt: number
  metadata: Record<string, string>
}

export class BlobStore {
  readonly #containers = new Map<string, Map<string, BlobState>>()
  readonly #info = new Map<string, ContainerInfo>()
  readonly #listeners = new Set<(change: BlobChange) => void>()

  /** Calls `listener` on every data-plane change; returns how to stop. */
  onChange(listener: (change: BlobChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  notify(change: BlobChange): void {
    for (const listener of this.#listeners) listener(change)
  }

  #key(account: string, container: string): string {
    return `${account.toLowerCase()}/${container}`
  }

  /** The blobs of a container (empty when it has none; the caller checks that the container exists). */
  blobs(account: string, container: string): Map<string, BlobState> {
    const key = this.#key(account, container)
    const found = this.#containers.get(key) ?? new Map<string, BlobState>()
    this.#containers.set(key, found)
    return found
  }

  /** A container was deleted (through ARM or the data plane): its blobs and metadata go with it. */
  dropContainer(account: string, container: string): void {
    this.#containers.delete(this.#key(account, container))
    this.#info.delete(this.#key(account, container))
  }

  /**
   * A container's ETag, time and metadata (made on first read for a container made without any). ARM's
   * `properties.metadata` and the data plane's `x-ms-meta-*` are the same metadata
   * (https://learn.microsoft.com/rest/api/storagerp/blob-containers/create: "A name-value pair to associate
   * with the container as metadata").
   */
  containerInfo(account: string, container: string, now: number): ContainerInfo {
    const key = this.#key(account, container)
    const found = this.#info.get(key) ?? { etag: newEtag(), modifiedAt: now, metadata: {} }
    this.#info.set(key, found)
    return found
  }

  /** A container was made (through ARM or the data plane) with this metadata: a fresh ETag, no blobs. */
  madeContainer(account: string, container: string, metadata: Record<string, string>, now: number): ContainerInfo {
    this.dropContainer(account, container)
    const info = { etag: newEtag(), modifiedAt: now, metadata }
    this.#info.set(this.#key(account, container), info)
    return info
  }

  put(account: string, container: string, name: string, bytes: Uint8Array, contentType: string, now: number): BlobState {
    const blobs = this.blobs(account, container)
    const existing = blobs.get(name)
    const blob: BlobState = {
      name,
      bytes,
      contentType,
      etag: newEtag(),
      contentMd5: createHash('md5').update(bytes).digest('base64'),
      createdAt: existing?.createdAt ?? now,
      modifiedAt: now,
      metadata: {},
    }
    blobs.set(name, blob)
    return blob
  }
}

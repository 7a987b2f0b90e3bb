/**
 * What the emulated Event Grid holds: custom topics (Microsoft.EventGrid/topics)
 * with their event subscriptions (dead-lettered events are blobs: blobs.ts). Read by the ARM model (eventgrid-arm.ts), the publish
 * endpoint and delivery (eventgrid.ts), and tests through `AzureState.eventGrid`.
 */

export interface EventSubscriptionState {
  name: string
  /** `AzureFunction` destinations only: `/subscriptions/S/resourceGroups/G/providers/Microsoft.Web/sites/APP/functions/FN`. */
  destination: {
    endpointType: 'AzureFunction'
    resourceId: string
    maxEventsPerBatch: number
    preferredBatchSizeInKilobytes: number
  }
  retryPolicy: { maxDeliveryAttempts: number; eventTimeToLiveInMinutes: number }
  /** StorageBlob dead letter: the account's resource id and the container. */
  deadLetter: { resourceId: string; blobContainerName: string } | undefined
  labels: string[]
  eventDeliverySchema: string
  filter: Record<string, unknown>
}

export interface TopicState {
  name: string
  resourceGroup: string
  subscription: string
  location: string
  tags: Record<string, string>
  inputSchema: string
  keys: [string, string]
  /** By lower-case name. */
  subscriptions: Map<string, EventSubscriptionState>
  /** A system topic's source (a storage account's resource id) and type (`Microsoft.Storage.StorageAccounts`). */
  system?: { source: string; topicType: string }
}

export class EventGridState {
  /** By `resourceGroup/name`, lower case. */
  readonly topics = new Map<string, TopicState>()
  /** System topics (Microsoft.EventGrid/systemTopics) by `resourceGroup/name`, lower case. */
  readonly systemTopics = new Map<string, TopicState>()

  /** The system topic whose source is that resource (one per source), if any. */
  systemTopicFor(source: string): TopicState | undefined {
    for (const topic of this.systemTopics.values()) if (topic.system?.source.toLowerCase() === source.toLowerCase()) return topic
    return undefined
  }

  /** The topic a data-plane host names (`<topic>.<region>-1.eventgrid.azure.net`). */
  topicForHost(host: string): TopicState | undefined {
    const match = /^([a-z0-9-]+)\.([a-z0-9]+)-1\.eventgrid\.azure\.net$/i.exec(host)
    if (!match) return undefined
    const [, name = '', region = ''] = match
    for (const topic of this.topics.values()) {
      if (topic.name.toLowerCase() === name.toLowerCase() && topic.location.toLowerCase() === region.toLowerCase()) return topic
    }
    return undefined
  }
}

/** The data-plane endpoint of a topic, as ARM reports it (`properties.endpoint`). */
export function topicEndpoint(topic: Pick<TopicState, 'name' | 'location'>): string {
  return `https://${topic.name.toLowerCase()}.${topic.location.toLowerCase()}-1.eventgrid.azure.net/api/events`
}

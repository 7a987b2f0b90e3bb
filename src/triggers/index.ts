export { type HttpOptions, http } from './http.ts'
export { type QueueOptions, queue, queueNames } from './queue.ts'
export { type ScheduleOptions, schedule } from './schedule.ts'
export { type StorageOptions, storage } from './storage.ts'
export { type TopicOptions, topic, topicNames } from './topic.ts'
export type { TopicPublisher } from './topic-publisher.ts'
export type {
  HttpAuth,
  HttpMethod,
  HttpTrigger,
  QueueTrigger,
  ScheduleEvent,
  ScheduleTrigger,
  StorageEvent,
  StorageEventType,
  StorageTrigger,
  TopicTrigger,
  Trigger,
} from './types.ts'

export { type HttpOptions, http } from './http.ts'
export { type QueueOptions, queue, queueNames } from './queue.ts'
export { type ScheduleOptions, schedule } from './schedule.ts'
export type { HttpAuth, HttpMethod, HttpTrigger, QueueTrigger, ScheduleEvent, ScheduleTrigger, Trigger } from './types.ts'

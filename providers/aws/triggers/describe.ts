import { http } from '../../../src/triggers/http.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { schedule } from '../../../src/triggers/schedule.ts'
import { storage } from '../../../src/triggers/storage.ts'
import { topic } from '../../../src/triggers/topic.ts'
import type { HttpMethod, StorageEventType, Trigger } from '../../../src/triggers/types.ts'

/**
 * A trigger in a few characters, for the function's Description (256 at
 * most, shared with the config hash): get() and list() read it back from the
 * configuration Lambda already returns, with no request per trigger resource.
 * Fields are `;`-separated; the schedule's expression comes last because
 * only it may contain spaces.
 */
export function encodeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'http':
      return `http;${trigger.auth};${trigger.methods.join(',')}`
    case 'schedule':
      return `schedule;${trigger.timezone};${trigger.expression}`
    case 'queue':
      return `queue;${trigger.batchSize};${trigger.maxRetries};${trigger.name ?? ''};${trigger.deadLetter ?? ''}`
    // Prefix and suffix may hold any character, `;` too: encoded.
    case 'storage':
      return `storage;${trigger.bucket};${trigger.events.join(',')};${encodeURIComponent(trigger.prefix ?? '')};${encodeURIComponent(trigger.suffix ?? '')}`
    case 'topic':
      return `topic;${trigger.name};${trigger.maxRetries ?? ''};${trigger.deadLetter ?? ''}`
  }
}

/** The trigger `encodeTrigger` wrote, rebuilt (and so re-checked) by the neutral constructors; undefined if unreadable. */
export function decodeTrigger(text: string): Trigger | undefined {
  const [kind, ...fields] = text.split(';')
  try {
    if (kind === 'http' && fields.length === 2) {
      const [auth, methods] = fields as [string, string]
      return http({ auth: auth as 'public', methods: methods.split(',') as HttpMethod[] })
    }
    if (kind === 'schedule' && fields.length >= 2) {
      const [timezone, ...expression] = fields as [string, ...string[]]
      return schedule(expression.join(';'), { timezone })
    }
    if (kind === 'queue' && fields.length === 4) {
      const [batchSize, maxRetries, name, deadLetter] = fields as [string, string, string, string]
      return queue({
        batchSize: Number(batchSize),
        maxRetries: Number(maxRetries),
        ...(name ? { name } : {}),
        ...(deadLetter ? { deadLetter } : {}),
      })
    }
    if (kind === 'topic' && fields.length === 3) {
      const [name, maxRetries, deadLetter] = fields as [string, string, string]
      return topic({ name, ...(maxRetries ? { maxRetries: Number(maxRetries) } : {}), ...(deadLetter ? { deadLetter } : {}) })
    }
    if (kind === 'storage' && fields.length === 4) {
      const [bucket, events, prefix, suffix] = fields as [string, string, string, string]
      return storage({
        bucket,
        events: events.split(',') as StorageEventType[],
        ...(prefix ? { prefix: decodeURIComponent(prefix) } : {}),
        ...(suffix ? { suffix: decodeURIComponent(suffix) } : {}),
      })
    }
  } catch {
    // Edited by hand into something invalid: treated as no trigger.
  }
  return undefined
}

/**
 * The Functions host's Event Grid extension, the receiving end of an event
 * subscription whose destination is a function: the host's system webhook
 * (`/runtime/webhooks/eventgrid?functionName=FN`). Modelled on
 * Azure/azure-sdk-for-net sdk/eventgrid/Microsoft.Azure.WebJobs.Extensions.EventGrid
 * (src/TriggerBinding/HttpRequestProcessor.cs, src/Config/EventGridExtensionConfigProvider.cs,
 * src/TriggerBinding/EventGridTriggerAttributeBindingProvider.cs):
 * - `aeg-event-type: SubscriptionValidation` answers `{"validationResponse": code}`;
 *   `Notification` runs the function once per event of the posted array (or object)
 *   (single dispatch: the Node model's `app.eventGrid` takes one event); `Unsubscribe`
 *   answers 202; any other type 400;
 * - a function name the host has no Event Grid listener for: 404 "cannot find function";
 * - all events run at once; 202 when every execution succeeded, else 500 with the
 *   first failure's message, so Event Grid redelivers the whole request.
 * The trigger value goes to the worker as JSON (the event object), and the binding
 * data contract holds `data` (the event's data).
 */
import { randomUUID } from 'node:crypto'
import type { TriggerOutcome } from './app-runtime.ts'
import type { RpcData } from './protocol.ts'
import { startRuntime } from './scm.ts'
import type { AzureState, SiteState } from './state.ts'

/** Binding data beside the event: `data`, sent as JSON where it is an object or array (primitives left out: UNCONFIRMED how the host types them). */
function eventGridMetadata(event: unknown): Record<string, RpcData> | undefined {
  const data = (event as { data?: unknown } | null)?.data
  return typeof data === 'object' && data !== null ? { data: { json: JSON.stringify(data) } } : undefined
}

async function run(state: AzureState, site: SiteState, functionName: string, event: unknown): Promise<TriggerOutcome> {
  const app = site.app
  if (!app) return { kind: 'failure', message: 'the app has no package' }
  site.runtime ??= startRuntime(site, app)
  const runtime = await site.runtime
  return runtime.trigger(
    functionName,
    randomUUID(),
    { json: JSON.stringify(event) },
    () => state.countExecution(site),
    eventGridMetadata(event),
  )
}

/** One webhook request to the site's Event Grid extension, answered as the extension answers it. */
export async function eventGridWebhook(state: AzureState, site: SiteState, request: Request): Promise<Response> {
  const functionName = new URL(request.url).searchParams.get('functionName') ?? ''
  const fn = site.listedFunctions.find((entry) => entry.kind === 'eventGrid' && entry.name === functionName)
  if (!fn) return new Response(`cannot find function: '${functionName}'`, { status: 404 })
  const type = request.headers.get('aeg-event-type')?.toLowerCase()
  if (type === 'subscriptionvalidation') {
    const events = JSON.parse(await request.text()) as Array<{ data?: { validationCode?: string } }>
    return Response.json({ validationResponse: events[0]?.data?.validationCode })
  }
  if (type === 'unsubscribe') return new Response(null, { status: 202 })
  if (type !== 'notification') return new Response(null, { status: 400 })
  const parsed = JSON.parse(await request.text()) as unknown
  const events = Array.isArray(parsed) ? parsed : [parsed]
  const outcomes = await Promise.all(events.map((event) => run(state, site, fn.name, event).catch(failed)))
  const failure = outcomes.find((outcome) => outcome.kind !== 'done')
  if (!failure) return new Response(null, { status: 202 })
  return new Response('message' in failure ? failure.message : failure.kind, { status: 500 })
}

const failed = (error: unknown): TriggerOutcome => ({
  kind: 'failure',
  message: error instanceof Error ? error.message : String(error),
})

// An app for the worker-contract test: run by the emulated host as the Node worker would run it.
import { app } from '@azure/functions'

let lastMetadata = null
const thrown = { zero: 0, empty: '', false: false, object: { code: 7 }, string: 'plain text', undef: undefined }

app.storageQueue('meta', {
  queueName: 'q',
  connection: 'AzureWebJobsStorage',
  handler: (message, context) => {
    lastMetadata = { message, triggerMetadata: context.triggerMetadata }
  },
})

app.http('seen', { route: 'seen', authLevel: 'anonymous', handler: () => ({ jsonBody: lastMetadata }) })

app.http('throw', {
  route: 'throw',
  authLevel: 'anonymous',
  handler: (request) => {
    throw thrown[request.query.get('kind')]
  },
})

app.http('late', {
  route: 'late',
  authLevel: 'anonymous',
  handler: () => {
    try {
      app.http('later', { route: 'later', handler: () => ({ body: 'late' }) })
      return { body: 'registered' }
    } catch (error) {
      return { body: error.message }
    }
  },
})

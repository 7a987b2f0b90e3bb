// Registers a function, then throws while loading: the worker blocks the app (Node 20+).
import { app } from '@azure/functions'

app.http('ok', { route: 'ok', authLevel: 'anonymous', handler: () => ({ body: 'ok' }) })
throw 'not an Error'

/**
 * `npm run demo`: one function, deployed to the local fake and to the three
 * clouds' emulators (no account needed), invoked with the same inputs
 * everywhere; then the same for an HTTP function called with the same
 * requests. The results are printed side by side and compared.
 */
import { isDeepStrictEqual } from 'node:util'
import { type Cloud, CloudfnError } from 'cloudfn'
import { aws } from 'cloudfn/aws'
import { createAwsEmulator, FAKE_CREDENTIALS } from 'cloudfn/aws/emulator'
import { azure } from 'cloudfn/azure'
import { createAzureEmulator, emulatorCredential } from 'cloudfn/azure/emulator'
import { gcp } from 'cloudfn/gcp'
import { createGcpEmulator, emulatorAuthClient } from 'cloudfn/gcp/emulator'
import { local } from 'cloudfn/local'
import { setupServer } from 'msw/node'
import { hello } from './functions/hello.ts'
import { helloHttp } from './functions/hello-http.ts'

// The emulators answer at the clouds' real host names, in this process only.
// Several emulators share one msw server: each server fails what it does not handle.
const awsEmulator = createAwsEmulator({ region: 'eu-west-1' })
const gcpEmulator = createGcpEmulator()
const azureEmulator = createAzureEmulator()
const server = setupServer(...awsEmulator.handlers, ...gcpEmulator.handlers, ...azureEmulator.handlers)
server.listen({ onUnhandledFrame: 'error' })

const clouds: Record<string, Cloud> = {
  'local (inline)': local(),
  'local (worker)': local({ isolation: 'worker' }),
  'aws (emulated)': aws({ region: 'eu-west-1', credentials: FAKE_CREDENTIALS, pollIntervalMs: 5 }),
  'gcp (emulated)': gcp({
    project: 'cloudfn-demo',
    region: 'europe-west1',
    authClient: emulatorAuthClient(),
    idTokenProvider: gcpEmulator.idTokenProvider,
    pollIntervalMs: 5,
  }),
  'azure (emulated)': azure({
    subscriptionId: '00000000-0000-4000-8000-000000000000',
    resourceGroup: 'cloudfn-demo',
    location: 'westeurope',
    credential: emulatorCredential(),
    pollIntervalMs: 5,
  }),
}

const inputs: unknown[] = [{ name: 'Ada' }, { name: 'Grace Hopper 👩‍💻' }, { name: 42 }]

/** What a caller sees: the value, or the error's code, remote name and message. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return await call
  } catch (error) {
    if (!CloudfnError.isInstance(error)) throw error
    const remote = error as CloudfnError & { remoteName?: string; remoteMessage?: string }
    return { error: error.code, name: remote.remoteName, message: remote.remoteMessage }
  }
}

const requests: Array<[string, RequestInit]> = [
  ['/?name=Ada', { method: 'GET' }],
  ['/', { method: 'POST', body: 'Grace Hopper 👩‍💻' }],
  ['/', { method: 'GET' }],
  ['/', { method: 'DELETE' }],
]

/** What an HTTP caller sees: status, the function's own headers and the body. */
async function answer(response: Response): Promise<unknown> {
  const own = ['content-type', 'x-greeted', 'allow'].flatMap((header) => {
    const value = response.headers.get(header)
    return value === null ? [] : [[header, value]]
  })
  return { status: response.status, headers: Object.fromEntries(own), body: await response.text() }
}

const results = new Map<string, unknown[]>()
const answers = new Map<string, unknown[]>()
try {
  for (const [label, cloud] of Object.entries(clouds)) {
    const started = performance.now()
    const fn = await cloud.deploy(hello)
    const deployMs = Math.round(performance.now() - started)
    const seen: unknown[] = []
    for (const input of inputs) seen.push(await outcome(fn.invoke(input as { name: string })))
    results.set(label, seen)
    console.log(`${label.padEnd(17)} deployed ${fn.status} in ${deployMs} ms`)
    await fn.remove()
    const web = await cloud.deploy(helloHttp)
    const seenHttp: unknown[] = []
    for (const [path, init] of requests) seenHttp.push(await answer(await web.fetch(path, init)))
    answers.set(label, seenHttp)
    console.log(`${''.padEnd(17)} and ${web.name} at ${web.url}`)
    await web.remove()
  }

  const reference = results.get('local (inline)') ?? []
  inputs.forEach((input, index) => {
    console.log(`\ninvoke(${JSON.stringify(input)})`)
    for (const [label, seen] of results) {
      // coldStart legitimately differs between backends' instances; everything else must not.
      console.log(`  ${label.padEnd(17)} → ${JSON.stringify(seen[index])}`)
    }
  })
  const comparable = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v) => (key === 'coldStart' ? undefined : v)))
  requests.forEach(([path, init], index) => {
    console.log(`\nfetch(${JSON.stringify(path)}, ${JSON.stringify(init)})`)
    for (const [label, seen] of answers) console.log(`  ${label.padEnd(17)} → ${JSON.stringify(seen[index])}`)
  })
  const httpReference = answers.get('local (inline)') ?? []
  const identical =
    [...results.values()].every((seen) => isDeepStrictEqual(comparable(seen), comparable(reference))) &&
    [...answers.values()].every((seen) => isDeepStrictEqual(seen, httpReference))
  console.log(`\nidentical results on every backend: ${identical ? 'yes' : 'NO'}`)
  if (!identical) process.exitCode = 1
} finally {
  server.close()
  await Promise.all([awsEmulator.close(), gcpEmulator.close(), azureEmulator.close()])
}

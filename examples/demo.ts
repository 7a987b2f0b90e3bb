/**
 * `npm run demo`: deploys one function to the local fake in both isolation
 * modes, invokes it the same way on each, and prints what came back.
 */
import { FunctionError } from 'cloudfn'
import { local } from 'cloudfn/local'
import { hello } from './functions/hello.ts'

for (const isolation of ['inline', 'worker'] as const) {
  const cloud = local({ isolation })
  console.log(`\n== local (${isolation}) ==`)

  const fn = await cloud.deploy(hello, { onProgress: (step) => console.log(`  deploy: ${step}`) })
  console.log(`deployed ${fn.name} (${fn.status}), code ${fn.codeHash.slice(0, 12)}…, ${fn.memoryMb} MB, ${fn.timeoutSec} s`)

  const first = await fn.invokeDetailed({ name: 'Ada' })
  console.log('invoke →', first.value, `(cold start: ${first.meta.coldStart}, ${first.meta.durationMs} ms)`)
  console.log('invoke →', await fn.invoke({ name: 'Grace' }))

  const results = await fn.map([{ name: 'Alan' }, { name: 'Barbara' }, { name: 'Edsger' }], { concurrency: 2 })
  console.log(
    'map    →',
    results.map((result) => (result.ok ? result.value.message : result.error.code)),
  )

  try {
    await fn.invoke({ name: 42 } as never)
  } catch (error) {
    if (FunctionError.isInstance(error)) console.log('error  →', error.code, error.remoteName, error.remoteMessage)
  }

  const logs = await fn.logs({ limit: 3 })
  console.log(
    'logs   →',
    logs.map((entry) => entry.message),
  )
  console.log('remove →', await fn.remove())
}

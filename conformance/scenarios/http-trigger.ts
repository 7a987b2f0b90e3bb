import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import type { FunctionHandle } from '../../src/handle.ts'
import type { ProviderCapabilities } from '../../src/provider.ts'
import { http } from '../../src/triggers/http.ts'
import { assertExecutions, countedExecutions, rejectedBeforeSending } from '../expect.ts'
import { httpBytes, httpEcho, httpThrows } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

const needsHttp = (caps: Readonly<ProviderCapabilities>) =>
  caps.triggers.http ? undefined : 'this target offers no HTTP trigger'

/** The fixtures are public; targets without public endpoints run them with the first auth they offer. */
function reachable<D extends typeof httpEcho>(definition: D, caps: Readonly<ProviderCapabilities>): D {
  const auth = caps.triggers.http?.auth ?? []
  if (auth.includes('public')) return definition
  const trigger = definition.trigger as ReturnType<typeof http>
  return withOverrides(definition, { trigger: http({ auth: auth[0], methods: trigger.methods }) }) as D
}

export const httpTrigger: Scenario[] = [
  {
    id: 'http-request-response',
    title:
      'an HTTP function sees method, path, repeated query values and headers and the body bytes, and its status, repeated headers and cookies come back',
    requires: needsHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(reachable(httpEcho, capabilities), { name: name('web') })
      assert.ok(fn.url?.startsWith('http'), `the handle has a url (got ${fn.url})`)
      assert.equal(fn.trigger?.kind, 'http')
      const bytes = Uint8Array.from([0, 1, 2, 250, 255, 13, 10])
      const response = await fn.fetch('/items/42?tag=a&tag=b&status=201', {
        method: 'POST',
        headers: [
          ['content-type', 'application/octet-stream'],
          ['x-multi', 'one'],
          ['x-multi', 'two'],
        ],
        body: bytes,
      })
      assert.equal(response.status, 201)
      assert.equal(response.headers.get('x-reply'), 'one, two')
      assert.deepEqual(response.headers.getSetCookie(), ['first=1; Path=/', 'second=2; Path=/'])
      assert.deepEqual(await response.json(), {
        method: 'POST',
        path: '/items/42',
        tags: ['a', 'b'],
        multi: 'one, two',
        contentType: 'application/octet-stream',
        bodyBase64: Buffer.from(bytes).toString('base64'),
      })
      const text = await fn.fetch('/', {
        method: 'PUT',
        body: 'héllo ✓',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
      const described = (await text.json()) as { method: string; path: string; bodyBase64: string }
      assert.equal(described.method, 'PUT')
      assert.equal(described.path, '/')
      assert.equal(Buffer.from(described.bodyBase64, 'base64').toString('utf8'), 'héllo ✓')
      await fn.remove()
    },
  },
  {
    id: 'http-binary-response',
    title: 'an HTTP function can answer raw bytes, which arrive unchanged',
    requires: needsHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(reachable(httpBytes as typeof httpEcho, capabilities), { name: name('bytes') })
      const response = await fn.fetch()
      assert.equal(response.status, 200)
      assert.deepEqual(
        new Uint8Array(await response.arrayBuffer()),
        Uint8Array.from({ length: 256 }, (_, index) => index),
      )
      await fn.remove()
    },
  },
  {
    id: 'http-methods',
    title: 'a method the trigger does not list gets 405 with an Allow header',
    requires: needsHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(reachable(httpBytes as typeof httpEcho, capabilities), { name: name('get-only') })
      const refused = await fn.fetch('/', { method: 'DELETE' })
      assert.equal(refused.status, 405)
      assert.equal(refused.headers.get('allow'), 'GET')
      assert.equal((await fn.fetch('/')).status, 200)
      await fn.remove()
    },
  },
  {
    id: 'http-handler-error',
    title: 'a throwing HTTP handler answers 500 without its error text, and the next request works',
    requires: needsHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(reachable(httpThrows as typeof httpEcho, capabilities), { name: name('throws') })
      const failed = await fn.fetch('/?fail=1')
      assert.equal(failed.status, 500)
      assert.equal((await failed.text()).includes('secret detail'), false, 'the error text must not reach the caller')
      const fine = await fn.fetch('/')
      assert.equal(fine.status, 200)
      assert.equal(fine.headers.get('content-type'), 'text/plain;charset=UTF-8', 'the content type the Response set, unchanged')
      assert.equal(await fine.text(), 'fine')
      await fn.remove()
    },
  },
  {
    id: 'http-auth',
    title: 'a non-public HTTP function refuses callers without credentials before it runs, and fetch() supplies them',
    requires: (caps) => {
      if (!caps.triggers.http) return 'this target offers no HTTP trigger'
      return caps.triggers.http.auth.some((mode) => mode !== 'public')
        ? undefined
        : 'this target offers only public HTTP functions'
    },
    async run({ cloud, probe, name, capabilities }) {
      const fnName = name('private')
      for (const auth of (capabilities.triggers.http?.auth ?? []).filter((mode) => mode !== 'public')) {
        const fn = await cloud.deploy(withOverrides(httpThrows, { trigger: http({ auth }) }), { name: fnName })
        const before = await countedExecutions(probe, fnName)
        const anonymous = await fetch(fn.url as string)
        assert.ok([401, 403].includes(anonymous.status), `auth '${auth}': a call without credentials got ${anonymous.status}`)
        await assertExecutions(probe, fnName, before)
        const allowed = await fn.fetch('/')
        assert.equal(allowed.status, 200, `auth '${auth}': fetch() with credentials got ${allowed.status}`)
        assert.equal(await allowed.text(), 'fine')
      }
      await cloud.remove(fnName)
    },
  },
  {
    id: 'http-not-invocable',
    title: 'invoking an HTTP function directly is Unsupported and sends nothing',
    requires: needsHttp,
    async run({ cloud, probe, name, capabilities }) {
      const fn = await cloud.deploy(reachable(httpThrows as typeof httpEcho, capabilities), { name: name('no-invoke') })
      // Its type has no invoke(); JavaScript callers (and casts) reach the run-time refusal.
      const untyped = fn as unknown as FunctionHandle
      await rejectedBeforeSending(probe, () => untyped.invoke(new Request('http://example.invalid/')), 'Unsupported')
      await fn.remove()
    },
  },
]

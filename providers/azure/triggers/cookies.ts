/**
 * `Set-Cookie` lines through `@azure/functions` unchanged. With HTTP streams
 * the library copies a response's headers to its proxy response with
 * `setHeader(name, value)` for each entry of `headers.entries()`, so of
 * several `set-cookie` entries only the last would survive; its `cookies`
 * list instead re-serialises each cookie with the `cookie` package, which
 * percent-encodes values and drops attributes it has no option for
 * (Partitioned, Priority, unknown ones). `setHeader` also takes an array and
 * writes one line per item: handing it every line in one entry keeps them as
 * the function wrote them. Dependency-free: bundled into artifacts by the shim.
 */

/**
 * Makes `headers.entries()` (only on this object) yield every `set-cookie`
 * line in one `['set-cookie', lines]` entry, after the other headers.
 */
export function groupSetCookieLines(headers: Headers): void {
  const lines = headers.getSetCookie()
  if (lines.length === 0) return
  const entries = headers.entries.bind(headers)
  Object.defineProperty(headers, 'entries', {
    configurable: true,
    value: function* grouped(): Generator<[string, string | string[]]> {
      for (const entry of entries()) if (entry[0] !== 'set-cookie') yield entry
      yield ['set-cookie', lines]
    },
  })
}

/**
 * Stacks of handlers that run unbundled (the local fake's inline mode), named
 * as the bundled backends name theirs (source-map-stack.ts): frames under the
 * project root relative to it, cut at the runtime's frames below the handler.
 */
import { sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type FrameRewrite, rewriteStack } from './source-map-stack.ts'

/** `runtimeFile`: URL of the module that calls the handler; its frames and all below are cloudfn's. */
export function projectStack(stack: string, projectRoot: string, runtimeFile: string): string {
  const runtime = [runtimeFile, ...(runtimeFile.startsWith('file:') ? [fileURLToPath(runtimeFile)] : [])]
  const prefixes = [`${pathToFileURL(projectRoot).href}/`, `${projectRoot}${sep}`]
  const rewrite: FrameRewrite = (text) => {
    if (runtime.some((file) => text.includes(`${file}:`))) return 'runtime'
    for (const prefix of prefixes) {
      const at = text.indexOf(prefix)
      if (at >= 0)
        return {
          text:
            text.slice(0, at) +
            text
              .slice(at + prefix.length)
              .split(sep)
              .join('/'),
          user: true,
        }
    }
    return { text, user: false }
  }
  return rewriteStack(stack, rewrite)
}

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MissingPackageError } from '../../../src/errors/missing-package.ts'

export const FRAMEWORK_PACKAGE = '@google-cloud/functions-framework'

/**
 * The installed framework's `build/src` directory (where main.js, server.js
 * and loader.js are). Looked up from cloudfn's own location, then from the
 * project in the working directory: the GCP emulator needs the package as a
 * (dev) dependency of the project that uses it.
 */
export function frameworkDir(from = [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]): string {
  for (const base of from) {
    try {
      return dirname(createRequire(base).resolve(FRAMEWORK_PACKAGE))
    } catch {
      // Try the next place.
    }
  }
  throw new MissingPackageError({
    provider: 'gcp',
    packages: [FRAMEWORK_PACKAGE],
    message: `The GCP emulator runs functions under the real Functions Framework, which is not installed. Run: npm install --save-dev ${FRAMEWORK_PACKAGE}`,
  })
}

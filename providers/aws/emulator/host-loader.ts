/**
 * Finds and loads the handler named by the function's Handler setting the way
 * Lambda's runtime does. References: aws-lambda-ric 3.x src/UserFunction.js
 * (nodejs20.x / nodejs22.x: `require` first, `import` for .mjs and
 * "type": "module"), 4.x src/function/*.ts (nodejs24.x: `import` for every
 * extension); checked by ric-differential.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import {
  CALLBACK_REFUSED,
  CALLBACK_WARNING,
  CallbackHandlerDeprecated,
  type Generation,
  HandlerNotFound,
  ImportModuleError,
  MalformedHandlerName,
  UserCodeSyntaxError,
} from './host-errors.ts'

export type Handler = (event: unknown, context: unknown, callback?: (error?: unknown, result?: unknown) => void) => unknown

export interface LoadedHandler {
  handler: Handler
  /** 3.x: an `async function` gets Runtime.NodeJsExit when its promise never settles. */
  isAsync: boolean
}

/** Where the runtime lives on Lambda: shown in require stacks instead of the emulator's host script. */
export const RUNTIME_FILE = '/var/runtime/index.mjs'

const require = createRequire(import.meta.url)
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/

function splitHandler(fullHandler: string): { moduleRoot: string; moduleName: string; handlerPath: string } {
  const handlerString = basename(fullHandler)
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString))
  const match = FUNCTION_EXPR.exec(handlerString)
  if (match?.length !== 3) throw new MalformedHandlerName('Bad handler')
  return { moduleRoot, moduleName: match[1] as string, handlerPath: match[2] as string }
}

function requireIfExists(path: string): unknown {
  return existsSync(path) ? require(path) : undefined
}

async function importIfExists(path: string): Promise<unknown> {
  return existsSync(path) ? await import(path) : undefined
}

function folderIsModule(folder: string): boolean {
  if (folder.endsWith('/node_modules')) return false
  const manifest = join(folder, 'package.json')
  if (existsSync(manifest)) {
    try {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module'
    } catch {
      return false
    }
  }
  return folder === '/' ? false : folderIsModule(resolve(folder, '..'))
}

/** 3.x's order: extensionless and .js by require (unless "type": "module"), then .mjs by import, .cjs, then Node's resolution. */
async function loadV3(taskRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const path = resolve(taskRoot, moduleRoot, moduleName)
  const extensionless = requireIfExists(path)
  if (extensionless) return extensionless
  const isModule = existsSync(`${path}.js`) && folderIsModule(dirname(`${path}.js`))
  if (!isModule) {
    const loaded = requireIfExists(`${path}.js`)
    if (loaded) return loaded
  }
  const loaded =
    (isModule && (await importIfExists(`${path}.js`))) || (await importIfExists(`${path}.mjs`)) || requireIfExists(`${path}.cjs`)
  if (loaded) return loaded
  return require(require.resolve(moduleName, { paths: [taskRoot, moduleRoot] }))
}

/** 4.x's order: import with each extension, then Node's resolution. */
async function loadV4(taskRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const path = resolve(taskRoot, moduleRoot, moduleName)
  for (const extension of ['', '.js', '.mjs', '.cjs']) {
    const loaded = await importIfExists(`${path}${extension}`)
    if (loaded) return loaded
  }
  return require(require.resolve(moduleName, { paths: [taskRoot, join(taskRoot, moduleRoot)] }))
}

/** The require stack names the emulator's host script where Lambda's names its runtime file. */
function asRuntimeFile(error: unknown, hostFile: string): unknown {
  if (error instanceof Error) {
    error.message = error.message.replaceAll(hostFile, RUNTIME_FILE)
    if (error.stack) error.stack = error.stack.replaceAll(hostFile, RUNTIME_FILE)
  }
  return error
}

function findIn(module: unknown, path: string, generation: Generation): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (nested, key) =>
        generation === 3
          ? nested && (nested as Record<string, unknown>)[key]
          : nested && typeof nested === 'object'
            ? (nested as Record<string, unknown>)[key]
            : undefined,
      module,
    )
}

export async function loadHandler(taskRoot: string, fullHandler: string, generation: Generation): Promise<LoadedHandler> {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    )
  }
  const { moduleRoot, moduleName, handlerPath } = splitHandler(fullHandler)
  const hostFile = new URL(import.meta.url).pathname
  let module: unknown
  try {
    module =
      generation === 3
        ? await loadV3(taskRoot, moduleRoot, moduleName)
        : await loadV4(taskRoot, moduleRoot.replace(/\/$/, ''), moduleName)
  } catch (error) {
    asRuntimeFile(error, hostFile)
    if (error instanceof SyntaxError) {
      const wrapped = new UserCodeSyntaxError(error)
      // 4.x keeps the SyntaxError's own stack (the source line and caret); 3.x has its own.
      if (generation === 4) wrapped.stack = error.stack
      throw wrapped
    }
    if ((error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(error)
    throw error
  }
  let handler = findIn(module, handlerPath, generation)
  if (!handler && generation === 4 && typeof module === 'object' && module !== null && 'default' in module) {
    handler = findIn((module as { default: unknown }).default, handlerPath, generation)
  }
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`)
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`)
  const fn = handler as Handler
  const isAsync = fn.constructor?.name === 'AsyncFunction'
  if (generation === 4 && fn.length >= 3) throw new CallbackHandlerDeprecated(CALLBACK_REFUSED)
  if (generation === 3 && fn.length === 3 && !isAsync && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
    console.warn(CALLBACK_WARNING)
  }
  return { handler: fn, isAsync }
}

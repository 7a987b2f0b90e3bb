/**
 * Preloaded (`node --require`) into a process that runs aws-lambda-ric, in place of its native addon
 * `rapid-client.node`: the npm package ships only the addon's C++ source (a libcurl client of the
 * Runtime API, src/native/rapid-client.cc) and its build is disabled here. This file does what that
 * addon does, over HTTP, with the same interface: `next()` resolves `{ bodyJson, headers }` with the
 * deadline as a number; `done(id, body)` and `error(id, body, xray)` POST synchronously, as the addon's
 * blocking curl calls do (the runtime calls `process.exit` right after an error post on an unhandled
 * rejection, so an asynchronous post would be lost). Every other line the runtime runs is AWS's own.
 */
'use strict'

const Module = require('node:module')
const http = require('node:http')
const { execFileSync } = require('node:child_process')

const [hostname, port] = String(process.env.AWS_LAMBDA_RUNTIME_API).split(':')

// The synchronous POST runs in a short-lived child, the only blocking HTTP call Node offers.
const POSTER = `
const chunks = []
process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const [url, errorType] = process.argv.slice(1)
  const headers = { 'content-type': 'application/json' }
  if (errorType) headers['lambda-runtime-function-error-type'] = errorType
  await fetch(url, { method: 'POST', headers, body: Buffer.concat(chunks) })
})`

function postSync(path, body, errorType) {
  execFileSync(process.execPath, ['-e', POSTER, `http://${hostname}:${port}${path}`, errorType ?? ''], {
    input: body,
    stdio: ['pipe', 'ignore', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  })
}

const nativeClient = {
  next() {
    return new Promise((resolve, reject) => {
      const request = http.request({ hostname, port, path: '/2018-06-01/runtime/invocation/next', method: 'GET' }, (response) => {
        let data = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          data += chunk
        })
        response.on('end', () => {
          const h = response.headers
          const headers = {
            'lambda-runtime-deadline-ms': Number(h['lambda-runtime-deadline-ms']),
            'lambda-runtime-aws-request-id': h['lambda-runtime-aws-request-id'] ?? '',
            'lambda-runtime-trace-id': h['lambda-runtime-trace-id'] ?? '',
            'lambda-runtime-invoked-function-arn': h['lambda-runtime-invoked-function-arn'] ?? '',
          }
          resolve({ bodyJson: data, headers })
        })
      })
      request.on('error', reject).end()
    })
  },
  done(id, body) {
    postSync(`/2018-06-01/runtime/invocation/${id}/response`, body)
    return null
  },
  error(id, body) {
    // aws-lambda-cpp's post_failure sends the error type header as "Unhandled".
    postSync(`/2018-06-01/runtime/invocation/${id}/error`, body, 'Unhandled')
    return null
  },
}

const load = Module._load
Module._load = function (request, parent, isMain) {
  if (typeof request === 'string' && request.endsWith('rapid-client.node')) return nativeClient
  return load.call(this, request, parent, isMain)
}

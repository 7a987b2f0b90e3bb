/* biome-ignore-all lint: vendored third-party code, kept byte-for-byte as built */
/* biome-ignore-all assist: vendored third-party code */
/* biome-ignore-all format: vendored third-party code */
/*
 * aws-lambda-ric 3.x (the Node.js runtime interface client of Lambda's nodejs20.x / nodejs22.x managed
 * runtimes), Copyright Amazon.com, Inc. or its affiliates, Apache-2.0 (LICENSE and NOTICE beside this file).
 * Source: https://github.com/aws/aws-lambda-nodejs-runtime-interface-client at commit
 * da5777a8963928cac4f6f93d88d6928262f6bd2a (3.3.0 plus the callback-handler warning), src/*.js bundled
 * with esbuild as its src/build.js does, entry: `await run(LAMBDA_TASK_ROOT, _HANDLER)`. Only the native
 * `./rapid-client.node` stays external; ric-native-client.cjs stands in for it in tests.
 * Regenerate: see docs/FIDELITY.md, "AWS Lambda / Runtime client differential".
 */
import { createRequire } from "module";
const require = createRequire(import.meta.url);
var __getOwnPropNames = Object.getOwnPropertyNames;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};

// src/Errors.js
var require_Errors = __commonJS({
  "src/Errors.js"(exports, module) {
    "use strict";
    var util = __require("util");
    function _isError(obj) {
      return obj && obj.name && obj.message && obj.stack && typeof obj.name === "string" && typeof obj.message === "string" && typeof obj.stack === "string";
    }
    function intoError(err) {
      if (err instanceof Error) {
        return err;
      } else {
        return new Error(err);
      }
    }
    module.exports.intoError = intoError;
    function toRapidResponse(error) {
      try {
        if (util.types.isNativeError(error) || _isError(error)) {
          return {
            errorType: error.name?.replaceAll("", "%7F"),
            errorMessage: error.message?.replaceAll("", "%7F"),
            trace: error.stack.replaceAll("", "%7F").split("\n")
          };
        } else {
          return {
            errorType: typeof error,
            errorMessage: error.toString(),
            trace: []
          };
        }
      } catch (_err) {
        return {
          errorType: "handled",
          errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack"
        };
      }
    }
    module.exports.toRapidResponse = toRapidResponse;
    module.exports.toFormatted = (error) => {
      try {
        return "	" + JSON.stringify(error, (_k, v) => _withEnumerableProperties(v));
      } catch (err) {
        return "	" + JSON.stringify(toRapidResponse(error));
      }
    };
    function _withEnumerableProperties(error) {
      if (error instanceof Error) {
        let ret = Object.assign(
          {
            errorType: error.name,
            errorMessage: error.message,
            code: error.code
          },
          error
        );
        if (typeof error.stack == "string") {
          ret.stack = error.stack.split("\n");
        }
        return ret;
      } else {
        return error;
      }
    }
    var errorClasses = [
      class ImportModuleError extends Error {
      },
      class HandlerNotFound extends Error {
      },
      class MalformedHandlerName extends Error {
      },
      class UserCodeSyntaxError extends Error {
      },
      class MalformedStreamingHandler extends Error {
      },
      class InvalidStreamingOperation extends Error {
      },
      class NodeJsExit extends Error {
        constructor() {
          super(
            "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes"
          );
        }
      },
      class UnhandledPromiseRejection extends Error {
        constructor(reason, promise) {
          super(reason);
          this.reason = reason;
          this.promise = promise;
        }
      }
    ];
    errorClasses.forEach((e) => {
      module.exports[e.name] = e;
      e.prototype.name = `Runtime.${e.name}`;
    });
  }
});

// src/XRayError.js
var require_XRayError = __commonJS({
  "src/XRayError.js"(exports, module) {
    "use strict";
    module.exports.formatted = (err) => {
      try {
        return JSON.stringify(new XRayFormattedCause(err));
      } catch (err2) {
        return "";
      }
    };
    var XRayFormattedCause = class {
      constructor(err) {
        this.working_directory = process.cwd();
        let stack = [];
        if (err.stack) {
          let stackLines = err.stack.replace(/\x7F/g, "%7F").split("\n");
          stackLines.shift();
          stackLines.forEach((stackLine) => {
            let line = stackLine.trim().replace(/\(|\)/g, "");
            line = line.substring(line.indexOf(" ") + 1);
            let label = line.lastIndexOf(" ") >= 0 ? line.slice(0, line.lastIndexOf(" ")) : null;
            let path = label == void 0 || label == null || label.length === 0 ? line : line.slice(line.lastIndexOf(" ") + 1);
            path = path.split(":");
            let entry = {
              path: path[0],
              line: parseInt(path[1]),
              label: label || "anonymous"
            };
            stack.push(entry);
          });
        }
        this.exceptions = [
          {
            type: err.name?.replace(/\x7F/g, "%7F"),
            message: err.message?.replace(/\x7F/g, "%7F"),
            stack
          }
        ];
        let paths = /* @__PURE__ */ new Set();
        stack.forEach((entry) => {
          paths.add(entry.path);
        });
        this.paths = Array.from(paths);
      }
    };
  }
});

// src/VerboseLog.js
var require_VerboseLog = __commonJS({
  "src/VerboseLog.js"(exports) {
    "use strict";
    var EnvVarName = "AWS_LAMBDA_RUNTIME_VERBOSE";
    var Tag = "RUNTIME";
    var Verbosity = (() => {
      if (!process.env[EnvVarName]) {
        return 0;
      }
      try {
        const verbosity = parseInt(process.env[EnvVarName]);
        return verbosity < 0 ? 0 : verbosity > 3 ? 3 : verbosity;
      } catch (_) {
        return 0;
      }
    })();
    exports.logger = function(category) {
      return {
        verbose: function() {
          if (Verbosity >= 1) {
            const args = [...arguments].map(
              (arg) => typeof arg === "function" ? arg() : arg
            );
            console.log.apply(null, [Tag, category, ...args]);
          }
        },
        vverbose: function() {
          if (Verbosity >= 2) {
            const args = [...arguments].map(
              (arg) => typeof arg === "function" ? arg() : arg
            );
            console.log.apply(null, [Tag, category, ...args]);
          }
        },
        vvverbose: function() {
          if (Verbosity >= 3) {
            const args = [...arguments].map(
              (arg) => typeof arg === "function" ? arg() : arg
            );
            console.log.apply(null, [Tag, category, ...args]);
          }
        }
      };
    };
  }
});

// src/ResponseStream.js
var require_ResponseStream = __commonJS({
  "src/ResponseStream.js"(exports, module) {
    "use strict";
    var { InvalidStreamingOperation, toRapidResponse } = require_Errors();
    var { verbose, vvverbose } = require_VerboseLog().logger("STREAM");
    var net = __require("net");
    var STATUS_READY = "ready";
    var STATUS_WRITE_CALLED = "write_called";
    var HEADER_RESPONSE_MODE = "Lambda-Runtime-Function-Response-Mode";
    var VALUE_STREAMING = "streaming";
    var TRAILER_NAME_ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
    var TRAILER_NAME_ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
    var DEFAULT_CONTENT_TYPE = "application/octet-stream";
    var failProps = /* @__PURE__ */ new WeakMap();
    function addFailWeakProp(req, fn) {
      failProps.set(req, fn);
    }
    function tryCallFail(req, err, callback) {
      const fail = failProps.get(req);
      if (typeof fail === "function") {
        fail(err, callback);
        return true;
      }
      return false;
    }
    function writableStreamOnly(inner) {
      const fns = [
        // stream.Writable
        "cork",
        "destroy",
        "end",
        "uncork",
        "write",
        // EventEmitter
        "addListener",
        "emit",
        "eventNames",
        "getMaxListeners",
        "listenerCount",
        "listeners",
        "off",
        "on",
        "once",
        "prependListener",
        "prependOnceListener",
        "rawListeners",
        "removeAllListeners",
        "removeListener",
        "setMaxListeners",
        // AWS
        "setContentType"
      ];
      const propsReadWrite = ["destroyed", "writable", "_onBeforeFirstWrite"];
      const propsReadOnly = [
        "writableFinished",
        "writableObjectMode",
        "writableBuffer",
        "writableEnded",
        "writableNeedDrain",
        "writableHighWaterMark",
        "writableCorked",
        "writableLength"
      ];
      const stream = Object.fromEntries(
        fns.map((fn) => {
          return [fn, inner[fn].bind(inner)];
        })
      );
      Object.defineProperties(
        stream,
        Object.fromEntries(
          propsReadWrite.map((prop) => [
            prop,
            {
              get() {
                return inner[prop];
              },
              set(value) {
                inner[prop] = value;
              }
            }
          ])
        )
      );
      Object.defineProperties(
        stream,
        Object.fromEntries(
          propsReadOnly.map((prop) => [
            prop,
            {
              get() {
                return inner[prop];
              }
            }
          ])
        )
      );
      return stream;
    }
    function createResponseStream(options) {
      let status = STATUS_READY;
      let req = void 0;
      const headers = {
        [HEADER_RESPONSE_MODE]: VALUE_STREAMING,
        Trailer: [TRAILER_NAME_ERROR_TYPE, TRAILER_NAME_ERROR_BODY],
        "Content-Type": options.contentType ? options.contentType : DEFAULT_CONTENT_TYPE
      };
      let responseDoneResolve;
      let responseDoneReject;
      let responseDonePromise = new Promise((resolve, reject) => {
        responseDoneResolve = resolve;
        responseDoneReject = reject;
      });
      let headersDoneResolve;
      let headersDoneReject;
      let headersDonePromise = new Promise((resolve, reject) => {
        headersDoneResolve = resolve;
        headersDoneReject = reject;
      });
      const agent = options.httpOptions.agent;
      agent.createConnection = (opts, connectionListener) => {
        return net.createConnection(
          {
            ...opts,
            highWaterMark: options?.httpOptions?.highWaterMark
          },
          connectionListener
        );
      };
      req = options.httpOptions.http.request(
        {
          http: options.httpOptions.http,
          contentType: options.httpOptions.contentType,
          method: options.httpOptions.method,
          hostname: options.httpOptions.hostname,
          port: options.httpOptions.port,
          path: options.httpOptions.path,
          headers,
          agent
        },
        (res) => {
          headersDoneResolve({
            statusCode: res.statusCode,
            statusMessage: res.statusMessage,
            headers: res.headers
          });
          let buf = void 0;
          res.on("data", (chunk) => {
            buf = typeof buf === "undefined" ? chunk : Buffer.concat([buf, chunk]);
          });
          res.on("aborted", (err) => {
            if (responseDoneReject) {
              responseDoneReject(err);
            }
            req.destroy(err);
          });
          res.on("end", () => {
            vvverbose("rapid response", buf ? buf.toString() : "buf undefined");
            responseDoneResolve(buf);
          });
        }
      );
      req.on("error", (err) => {
        if (headersDoneReject) {
          headersDoneReject(err);
        }
        if (responseDoneReject) {
          responseDoneReject(err);
        }
        req.destroy(err);
      });
      const origEnd = req.end.bind(req);
      req.end = function(cb) {
        origEnd(cb);
      };
      req.setContentType = function(contentType) {
        if (status !== STATUS_READY) {
          throw new InvalidStreamingOperation("Cannot set content-type, too late.");
        }
        req.setHeader("Content-Type", contentType);
      };
      const origWrite = req.write.bind(req);
      req.write = function(chunk, encoding, callback) {
        vvverbose(
          "ResponseStream::write",
          chunk.length,
          "callback:",
          typeof callback
        );
        if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
          chunk = JSON.stringify(chunk);
        }
        if (status === STATUS_READY && typeof this._onBeforeFirstWrite === "function") {
          this._onBeforeFirstWrite((ch) => origWrite(ch));
        }
        const ret = origWrite(chunk, encoding, callback);
        vvverbose("ResponseStream::origWrite", ret);
        vvverbose("ResponseStream::write outputData len", this.outputData.length);
        vvverbose("ResponseStream::write outputSize", this.outputSize);
        if (status === STATUS_READY) {
          status = STATUS_WRITE_CALLED;
        }
        return ret;
      };
      const request = writableStreamOnly(req);
      addFailWeakProp(request, function(err, callback) {
        verbose("ResponseStream::fail err:", err);
        const error = toRapidResponse(err);
        req.addTrailers({
          [TRAILER_NAME_ERROR_TYPE]: error.errorType,
          [TRAILER_NAME_ERROR_BODY]: Buffer.from(JSON.stringify(error)).toString(
            "base64"
          )
        });
        req.end(callback);
      });
      return {
        request,
        headersDone: headersDonePromise,
        // Not required to be awaited.
        responseDone: responseDonePromise
      };
    }
    module.exports.createResponseStream = createResponseStream;
    module.exports.tryCallFail = tryCallFail;
  }
});

// src/NativeModuleLoader.js
var require_NativeModuleLoader = __commonJS({
  "src/NativeModuleLoader.js"(exports) {
    "use strict";
    exports.load = () => __require("./rapid-client.node");
  }
});

// src/RAPIDClient.js
var require_RAPIDClient = __commonJS({
  "src/RAPIDClient.js"(exports, module) {
    "use strict";
    var Errors2 = require_Errors();
    var XRayError = require_XRayError();
    var ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    var { createResponseStream } = require_ResponseStream();
    module.exports = class RAPIDClient {
      constructor(hostnamePort, httpClient, nativeClient) {
        this.http = httpClient || __require("http");
        this.nativeClient = nativeClient || require_NativeModuleLoader().load();
        this.useAlternativeClient = process.env["AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1"] === "true";
        let [hostname, port] = hostnamePort.split(":");
        this.hostname = hostname;
        this.port = parseInt(port, 10);
        this.agent = new this.http.Agent({
          keepAlive: true,
          maxSockets: 1
        });
      }
      /**
       * Complete and invocation with the provided response.
       * @param {Object} response
       *   An arbitrary object to convert to JSON and send back as as response.
       * @param {String} id
       *   The invocation ID.
       * @param {Function} callback
       *   The callback to run after the POST response ends
       */
      postInvocationResponse(response, id, callback) {
        let bodyString = _trySerializeResponse(response);
        this.nativeClient.done(encodeURIComponent(id), bodyString);
        callback();
      }
      /**
       * Stream the invocation response.
       * @param {String} id
       *   The invocation ID.
       * @param {Function} callback
       *   The callback to run after the POST response ends
       * @return {object}
       *   A response stream and a Promise that resolves when the stream is done.
       */
      getStreamForInvocationResponse(id, callback, options) {
        const ret = createResponseStream({
          httpOptions: {
            agent: this.agent,
            http: this.http,
            hostname: this.hostname,
            method: "POST",
            port: this.port,
            path: "/2018-06-01/runtime/invocation/" + encodeURIComponent(id) + "/response",
            highWaterMark: options?.highWaterMark
          }
        });
        return {
          request: ret.request,
          responseDone: ret.responseDone.then((_) => {
            if (callback) {
              callback();
            }
          })
        };
      }
      /**
       * Post an initialization error to the RAPID API.
       * @param {Error} error
       * @param {Function} callback
       *   The callback to run after the POST response ends
       */
      postInitError(error, callback) {
        let response = Errors2.toRapidResponse(error);
        this._post(
          `/2018-06-01/runtime/init/error`,
          response,
          { [ERROR_TYPE_HEADER]: response.errorType },
          callback
        );
      }
      /**
       * Post an invocation error to the RAPID API
       * @param {Error} error
       * @param {String} id
       *   The invocation ID for the in-progress invocation.
       * @param {Function} callback
       *   The callback to run after the POST response ends
       */
      postInvocationError(error, id, callback) {
        let response = Errors2.toRapidResponse(error);
        let bodyString = _trySerializeResponse(response);
        let xrayString = XRayError.formatted(error);
        this.nativeClient.error(encodeURIComponent(id), bodyString, xrayString);
        callback();
      }
      /**
       * Get the next invocation.
       * @return {PromiseLike.<Object>}
       *   A promise which resolves to an invocation object that contains the body
       *   as json and the header array. e.g. {bodyJson, headers}
       */
      async nextInvocation() {
        if (this.useAlternativeClient) {
          const options = {
            hostname: this.hostname,
            port: this.port,
            path: "/2018-06-01/runtime/invocation/next",
            method: "GET",
            agent: this.agent
          };
          return new Promise((resolve, reject) => {
            let request = this.http.request(options, (response) => {
              let data = "";
              response.setEncoding("utf-8").on("data", (chunk) => {
                data += chunk;
              }).on("end", () => {
                resolve({
                  bodyJson: data,
                  headers: response.headers
                });
              });
            });
            request.on("error", (e) => {
              reject(e);
            }).end();
          });
        }
        return this.nativeClient.next();
      }
      /**
       * HTTP Post to a path.
       * @param {String} path
       * @param {Object} body
       *   The body is serialized into JSON before posting.
       * @param {Object} headers
       *   The http headers
       * @param (function()} callback
       *   The callback to run after the POST response ends
       */
      _post(path, body, headers, callback) {
        let bodyString = _trySerializeResponse(body);
        const options = {
          hostname: this.hostname,
          port: this.port,
          path,
          method: "POST",
          headers: Object.assign(
            {
              "Content-Type": "application/json",
              "Content-Length": Buffer.from(bodyString).length
            },
            headers || {}
          ),
          agent: this.agent
        };
        let request = this.http.request(options, (response) => {
          response.on("end", () => {
            callback();
          }).on("error", (e) => {
            throw e;
          }).on("data", () => {
          });
        });
        request.on("error", (e) => {
          throw e;
        }).end(bodyString, "utf-8");
      }
    };
    function _trySerializeResponse(body) {
      try {
        return JSON.stringify(body === void 0 ? null : body);
      } catch (err) {
        throw new Error("Unable to stringify response body");
      }
    }
  }
});

// src/LogPatch.js
var require_LogPatch = __commonJS({
  "src/LogPatch.js"(exports, module) {
    "use strict";
    var util = __require("util");
    var fs = __require("fs");
    var Errors2 = require_Errors();
    var structuredConsole = {};
    var jsonErrorReplacer = (_, value) => {
      if (value instanceof Error) {
        let serializedErr = Object.assign(
          {
            errorType: value?.constructor?.name ?? "UnknownError",
            errorMessage: value.message,
            stackTrace: typeof value.stack === "string" ? value.stack.split("\n") : value.stack
          },
          value
        );
        return serializedErr;
      }
      return value;
    };
    function formatJsonMessage(requestId, timestamp, level, tenantId, ...messageParams) {
      let result = {
        timestamp,
        level: level.name,
        requestId
      };
      if (tenantId != void 0 && tenantId != null) {
        result.tenantId = tenantId;
      }
      if (messageParams.length === 1) {
        result.message = messageParams[0];
        try {
          return JSON.stringify(result, jsonErrorReplacer);
        } catch (_) {
          result.message = util.format(result.message);
          return JSON.stringify(result);
        }
      }
      result.message = util.format(...messageParams);
      for (const param of messageParams) {
        if (param instanceof Error) {
          result.errorType = param?.constructor?.name ?? "UnknownError";
          result.errorMessage = param.message;
          result.stackTrace = typeof param.stack === "string" ? param.stack.split("\n") : [];
          break;
        }
      }
      return JSON.stringify(result);
    }
    var REQUEST_ID_SYMBOL = /* @__PURE__ */ Symbol.for("aws.lambda.runtime.requestId");
    var _currentRequestId = {
      get: () => global[REQUEST_ID_SYMBOL],
      set: (id) => global[REQUEST_ID_SYMBOL] = id
    };
    var TENANT_ID_SYMBOL = /* @__PURE__ */ Symbol.for("aws.lambda.runtime.tenantId");
    var _currentTenantId = {
      get: () => global[TENANT_ID_SYMBOL],
      set: (id) => global[TENANT_ID_SYMBOL] = id
    };
    var logTextToStdout = (level, message, ...params) => {
      let time = (/* @__PURE__ */ new Date()).toISOString();
      let requestId = _currentRequestId.get();
      let line = `${time}	${requestId}	${level.name}	${util.format(
        message,
        ...params
      )}`;
      line = line.replace(/\n/g, "\r");
      process.stdout.write(line + "\n");
    };
    var logJsonToStdout = (level, message, ...params) => {
      let time = (/* @__PURE__ */ new Date()).toISOString();
      let requestId = _currentRequestId.get();
      let tenantId = _currentTenantId.get();
      let line = formatJsonMessage(
        requestId,
        time,
        level,
        tenantId,
        message,
        ...params
      );
      line = line.replace(/\n/g, "\r");
      process.stdout.write(line + "\n");
    };
    var logTextToFd = function(logTarget) {
      let typeAndLength = Buffer.alloc(16);
      return (level, message, ...params) => {
        let date = /* @__PURE__ */ new Date();
        let time = date.toISOString();
        let requestId = _currentRequestId.get();
        let enrichedMessage = `${time}	${requestId}	${level.name}	${util.format(
          message,
          ...params
        )}
`;
        typeAndLength.writeUInt32BE((2774138883 | level.tlvMask) >>> 0, 0);
        let messageBytes = Buffer.from(enrichedMessage, "utf8");
        typeAndLength.writeInt32BE(messageBytes.length, 4);
        typeAndLength.writeBigInt64BE(BigInt(date.valueOf()) * 1000n, 8);
        fs.writeSync(logTarget, typeAndLength);
        fs.writeSync(logTarget, messageBytes);
      };
    };
    var logJsonToFd = function(logTarget) {
      let typeAndLength = Buffer.alloc(16);
      return (level, message, ...params) => {
        let date = /* @__PURE__ */ new Date();
        let time = date.toISOString();
        let requestId = _currentRequestId.get();
        let tenantId = _currentTenantId.get();
        let enrichedMessage = formatJsonMessage(
          requestId,
          time,
          level,
          tenantId,
          message,
          ...params
        );
        typeAndLength.writeUInt32BE((2774138882 | level.tlvMask) >>> 0, 0);
        let messageBytes = Buffer.from(enrichedMessage, "utf8");
        typeAndLength.writeInt32BE(messageBytes.length, 4);
        typeAndLength.writeBigInt64BE(BigInt(date.valueOf()) * 1000n, 8);
        fs.writeSync(logTarget, typeAndLength);
        fs.writeSync(logTarget, messageBytes);
      };
    };
    function _patchConsoleWith(log) {
      const NopLog = (_message, ..._params) => {
      };
      const levels = Object.freeze({
        TRACE: { name: "TRACE", priority: 1, tlvMask: 4 },
        DEBUG: { name: "DEBUG", priority: 2, tlvMask: 8 },
        INFO: { name: "INFO", priority: 3, tlvMask: 12 },
        WARN: { name: "WARN", priority: 4, tlvMask: 16 },
        ERROR: { name: "ERROR", priority: 5, tlvMask: 20 },
        FATAL: { name: "FATAL", priority: 6, tlvMask: 24 }
      });
      let awsLambdaLogLevel = levels[process.env["AWS_LAMBDA_LOG_LEVEL"]?.toUpperCase()] ?? levels.TRACE;
      if (levels.TRACE.priority >= awsLambdaLogLevel.priority) {
        console.trace = (msg, ...params) => {
          log(levels.TRACE, msg, ...params);
        };
      } else {
        console.trace = NopLog;
      }
      if (levels.DEBUG.priority >= awsLambdaLogLevel.priority) {
        console.debug = (msg, ...params) => {
          log(levels.DEBUG, msg, ...params);
        };
      } else {
        console.debug = NopLog;
      }
      if (levels.INFO.priority >= awsLambdaLogLevel.priority) {
        console.info = (msg, ...params) => {
          log(levels.INFO, msg, ...params);
        };
      } else {
        console.info = NopLog;
      }
      console.log = console.info;
      if (levels.WARN.priority >= awsLambdaLogLevel.priority) {
        console.warn = (msg, ...params) => {
          log(levels.WARN, msg, ...params);
        };
      } else {
        console.warn = NopLog;
      }
      if (levels.ERROR.priority >= awsLambdaLogLevel.priority) {
        console.error = (msg, ...params) => {
          log(levels.ERROR, msg, ...params);
        };
      } else {
        console.error = NopLog;
      }
      console.fatal = (msg, ...params) => {
        log(levels.FATAL, msg, ...params);
      };
    }
    var _patchConsole = () => {
      const JsonName = "JSON", TextName = "TEXT";
      let awsLambdaLogFormat = process.env["AWS_LAMBDA_LOG_FORMAT"]?.toUpperCase() === JsonName ? JsonName : TextName;
      let jsonErrorLogger = (_, err) => {
        console.error(Errors2.intoError(err));
      }, textErrorLogger = (msg, err) => {
        console.error(msg, Errors2.toFormatted(Errors2.intoError(err)));
      };
      let logger;
      if (process.env["_LAMBDA_TELEMETRY_LOG_FD"] != null && process.env["_LAMBDA_TELEMETRY_LOG_FD"] != void 0) {
        let logFd = parseInt(process.env["_LAMBDA_TELEMETRY_LOG_FD"]);
        delete process.env["_LAMBDA_TELEMETRY_LOG_FD"];
        logger = awsLambdaLogFormat === JsonName ? logJsonToFd(logFd) : logTextToFd(logFd);
      } else {
        logger = awsLambdaLogFormat === JsonName ? logJsonToStdout : logTextToStdout;
      }
      _patchConsoleWith(logger);
      structuredConsole.logError = awsLambdaLogFormat === JsonName ? jsonErrorLogger : textErrorLogger;
    };
    module.exports = {
      setCurrentRequestId: _currentRequestId.set,
      setCurrentTenantId: _currentTenantId.set,
      patchConsole: _patchConsole,
      structuredConsole
    };
  }
});

// src/InvokeContext.js
var require_InvokeContext = __commonJS({
  "src/InvokeContext.js"(exports, module) {
    "use strict";
    var assert = __require("assert").strict;
    var { setCurrentRequestId, setCurrentTenantId } = require_LogPatch();
    var INVOKE_HEADER = {
      ClientContext: "lambda-runtime-client-context",
      CognitoIdentity: "lambda-runtime-cognito-identity",
      ARN: "lambda-runtime-invoked-function-arn",
      AWSRequestId: "lambda-runtime-aws-request-id",
      DeadlineMs: "lambda-runtime-deadline-ms",
      XRayTrace: "lambda-runtime-trace-id",
      TenantId: "lambda-runtime-aws-tenant-id"
    };
    module.exports = class InvokeContext {
      constructor(headers) {
        this.headers = _enforceLowercaseKeys(headers);
      }
      /**
       * The invokeId for this request.
       */
      get invokeId() {
        let id = this.headers[INVOKE_HEADER.AWSRequestId];
        assert.ok(id, "invocation id is missing or invalid");
        return id;
      }
      /**
       * The tenantId for this request.
       */
      get tenantId() {
        return this.headers[INVOKE_HEADER.TenantId];
      }
      /**
       * Push relevant invoke data into the logging context.
       */
      updateLoggingContext() {
        setCurrentRequestId(this.invokeId);
        setCurrentTenantId(this.tenantId);
      }
      /**
       * Attach all of the relavant environmental and invocation data to the
       * provided object.
       * This method can throw if the headers are malformed and cannot be parsed.
       * @param callbackContext {Object}
       *   The callbackContext object returned by a call to buildCallbackContext().
       * @return {Object}
       *   The user context object with all required data populated from the headers
       *   and environment variables.
       */
      attachEnvironmentData(callbackContext) {
        this._forwardXRay();
        return Object.assign(
          callbackContext,
          this._environmentalData(),
          this._headerData()
        );
      }
      /**
       * All parts of the user-facing context object which are provided through
       * environment variables.
       */
      _environmentalData() {
        return {
          functionVersion: process.env["AWS_LAMBDA_FUNCTION_VERSION"],
          functionName: process.env["AWS_LAMBDA_FUNCTION_NAME"],
          memoryLimitInMB: process.env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
          logGroupName: process.env["AWS_LAMBDA_LOG_GROUP_NAME"],
          logStreamName: process.env["AWS_LAMBDA_LOG_STREAM_NAME"]
        };
      }
      /**
       * All parts of the user-facing context object which are provided through
       * request headers.
       */
      _headerData() {
        const deadline = this.headers[INVOKE_HEADER.DeadlineMs];
        return {
          clientContext: _parseJson(
            this.headers[INVOKE_HEADER.ClientContext],
            "ClientContext"
          ),
          identity: _parseJson(
            this.headers[INVOKE_HEADER.CognitoIdentity],
            "CognitoIdentity"
          ),
          invokedFunctionArn: this.headers[INVOKE_HEADER.ARN],
          awsRequestId: this.headers[INVOKE_HEADER.AWSRequestId],
          tenantId: this.headers[INVOKE_HEADER.TenantId],
          getRemainingTimeInMillis: function() {
            return deadline - Date.now();
          }
        };
      }
      /**
       * Forward the XRay header into the environment variable.
       */
      _forwardXRay() {
        if (this.headers[INVOKE_HEADER.XRayTrace]) {
          process.env["_X_AMZN_TRACE_ID"] = this.headers[INVOKE_HEADER.XRayTrace];
        } else {
          delete process.env["_X_AMZN_TRACE_ID"];
        }
      }
    };
    function _parseJson(jsonString, name) {
      if (jsonString !== void 0) {
        try {
          return JSON.parse(jsonString);
        } catch (err) {
          throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
        }
      } else {
        return void 0;
      }
    }
    function _enforceLowercaseKeys(original) {
      return Object.keys(original).reduce((enforced, originalKey) => {
        enforced[originalKey.toLowerCase()] = original[originalKey];
        return enforced;
      }, {});
    }
  }
});

// src/BeforeExitListener.js
var require_BeforeExitListener = __commonJS({
  "src/BeforeExitListener.js"(exports, module) {
    "use strict";
    var LISTENER_SYMBOL = /* @__PURE__ */ Symbol.for("aws.lambda.beforeExit");
    var NO_OP_LISTENER = () => {
    };
    module.exports = {
      /**
       * Call the listener function with no arguments.
       */
      invoke: () => global[LISTENER_SYMBOL](),
      /**
       * Reset the listener to a no-op function.
       */
      reset: () => global[LISTENER_SYMBOL] = NO_OP_LISTENER,
      /**
       * Set the listener to the provided function.
       */
      set: (listener) => global[LISTENER_SYMBOL] = listener
    };
  }
});

// src/CallbackContext.js
var require_CallbackContext = __commonJS({
  "src/CallbackContext.js"(exports, module) {
    "use strict";
    var BeforeExitListener2 = require_BeforeExitListener();
    var { structuredConsole } = require_LogPatch();
    function _rawCallbackContext(client, id, scheduleNext) {
      const postError = (err, callback2) => {
        structuredConsole.logError("Invoke Error", err);
        client.postInvocationError(err, id, callback2);
      };
      let isCompleteInvoked = false;
      const complete = (result, callback2) => {
        if (isCompleteInvoked) {
          console.error(
            "Invocation has already been reported as done. Cannot call complete more than once per invocation."
          );
          return;
        }
        isCompleteInvoked = true;
        client.postInvocationResponse(result, id, callback2);
      };
      let waitForEmptyEventLoop = true;
      const callback = function(err, result) {
        BeforeExitListener2.reset();
        if (err !== void 0 && err !== null) {
          postError(err, scheduleNext);
        } else {
          if (!waitForEmptyEventLoop) {
            complete(result, scheduleNext);
          } else {
            BeforeExitListener2.set(() => {
              setImmediate(() => {
                complete(result, scheduleNext);
              });
            });
          }
        }
      };
      const done = (err, result) => {
        BeforeExitListener2.reset();
        if (err !== void 0 && err !== null) {
          postError(err, scheduleNext);
        } else {
          complete(result, scheduleNext);
        }
      };
      const succeed = (result) => {
        done(null, result);
      };
      const fail = (err) => {
        if (err === void 0 || err === null) {
          done("handled");
        } else {
          done(err, null);
        }
      };
      const callbackContext = {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value) {
          waitForEmptyEventLoop = value;
        },
        succeed,
        fail,
        done
      };
      return [
        callback,
        callbackContext,
        function() {
          isCompleteInvoked = true;
        }
      ];
    }
    function _wrappedCallbackContext(callback, callbackContext, markCompleted) {
      let finished = false;
      const onlyAllowFirstCall = function(toWrap) {
        return function() {
          if (!finished) {
            toWrap.apply(null, arguments);
            finished = true;
          }
        };
      };
      callbackContext.succeed = onlyAllowFirstCall(callbackContext.succeed);
      callbackContext.fail = onlyAllowFirstCall(callbackContext.fail);
      callbackContext.done = onlyAllowFirstCall(callbackContext.done);
      return [onlyAllowFirstCall(callback), callbackContext, markCompleted];
    }
    module.exports.build = function(client, id, scheduleNext) {
      let rawCallbackContext = _rawCallbackContext(client, id, scheduleNext);
      return _wrappedCallbackContext(...rawCallbackContext);
    };
  }
});

// src/StreamingContext.js
var require_StreamingContext = __commonJS({
  "src/StreamingContext.js"(exports, module) {
    "use strict";
    var BeforeExitListener2 = require_BeforeExitListener();
    var { InvalidStreamingOperation } = require_Errors();
    var { verbose, vverbose } = require_VerboseLog().logger("STREAM");
    var { tryCallFail } = require_ResponseStream();
    var { structuredConsole } = require_LogPatch();
    module.exports.build = function(client, id, scheduleNext, options) {
      let waitForEmptyEventLoop = true;
      const scheduleNextNow = () => {
        verbose("StreamingContext::scheduleNextNow entered");
        if (!waitForEmptyEventLoop) {
          scheduleNext();
        } else {
          BeforeExitListener2.set(() => {
            setImmediate(() => {
              scheduleNext();
            });
          });
        }
      };
      let isStreamCreated = false;
      const streamingContext = {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value) {
          waitForEmptyEventLoop = value;
        },
        createStream: (callback) => {
          if (isStreamCreated) {
            throw new InvalidStreamingOperation(
              "Cannot create stream for the same StreamingContext more than once."
            );
          }
          const { request: responseStream, responseDone: rapidResponse } = client.getStreamForInvocationResponse(id, callback, options);
          isStreamCreated = true;
          vverbose("StreamingContext::createStream stream created");
          return {
            fail: (err, callback2) => {
              structuredConsole.logError("Invoke Error", err);
              tryCallFail(responseStream, err, callback2);
            },
            responseStream,
            rapidResponse,
            scheduleNext: () => {
              verbose("StreamingContext::createStream scheduleNext");
              BeforeExitListener2.reset();
              scheduleNextNow();
            }
          };
        }
      };
      return streamingContext;
    };
  }
});

// src/HttpResponseStream.js
var require_HttpResponseStream = __commonJS({
  "src/HttpResponseStream.js"(exports, module) {
    "use strict";
    var METADATA_PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
    var DELIMITER_LEN = 8;
    var HttpResponseStream = class {
      static from(underlyingStream, prelude) {
        underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
        const metadataPrelude = JSON.stringify(prelude);
        underlyingStream._onBeforeFirstWrite = (write) => {
          write(metadataPrelude);
          write(new Uint8Array(DELIMITER_LEN));
        };
        return underlyingStream;
      }
    };
    module.exports.HttpResponseStream = HttpResponseStream;
  }
});

// src/UserFunction.js
var require_UserFunction = __commonJS({
  "src/UserFunction.js"(exports, module) {
    "use strict";
    var path = __require("path");
    var fs = __require("fs");
    var {
      HandlerNotFound,
      MalformedHandlerName,
      ImportModuleError,
      UserCodeSyntaxError
    } = require_Errors();
    var { verbose } = require_VerboseLog().logger("LOADER");
    var { HttpResponseStream } = require_HttpResponseStream();
    var FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
    var RELATIVE_PATH_SUBSTRING = "..";
    var HANDLER_STREAMING = /* @__PURE__ */ Symbol.for("aws.lambda.runtime.handler.streaming");
    var HANDLER_HIGHWATERMARK = /* @__PURE__ */ Symbol.for(
      "aws.lambda.runtime.handler.streaming.highWaterMark"
    );
    var STREAM_RESPONSE = "response";
    var NoGlobalAwsLambda = process.env["AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA"] === "1" || process.env["AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA"] === "true";
    function _moduleRootAndHandler(fullHandlerString) {
      let handlerString = path.basename(fullHandlerString);
      let moduleRoot = fullHandlerString.substring(
        0,
        fullHandlerString.indexOf(handlerString)
      );
      return [moduleRoot, handlerString];
    }
    function _splitHandlerString(handler) {
      let match = handler.match(FUNCTION_EXPR);
      if (!match || match.length != 3) {
        throw new MalformedHandlerName("Bad handler");
      }
      return [match[1], match[2]];
    }
    function _resolveHandler(object, nestedProperty) {
      return nestedProperty.split(".").reduce((nested, key) => {
        return nested && nested[key];
      }, object);
    }
    function _tryRequireFile(file, extension) {
      const path2 = file + (extension || "");
      verbose("Try loading as commonjs:", path2);
      return fs.existsSync(path2) ? __require(path2) : void 0;
    }
    async function _tryAwaitImport(file, extension) {
      const path2 = file + (extension || "");
      verbose("Try loading as esmodule:", path2);
      if (fs.existsSync(path2)) {
        return await import(path2);
      }
      return void 0;
    }
    function _hasFolderPackageJsonTypeModule(folder) {
      if (folder.endsWith("/node_modules")) {
        return false;
      }
      const pj = path.join(folder, "/package.json");
      if (fs.existsSync(pj)) {
        try {
          const pkg = JSON.parse(fs.readFileSync(pj));
          if (pkg) {
            if (pkg.type === "module") {
              verbose("type: module detected in", pj);
              return true;
            } else {
              verbose("type: module not detected in", pj);
              return false;
            }
          }
        } catch (e) {
          console.warn(
            `${pj} cannot be read, it will be ignored for ES module detection purposes.`,
            e
          );
          return false;
        }
      }
      if (folder === "/") {
        return false;
      }
      return _hasFolderPackageJsonTypeModule(path.resolve(folder, ".."));
    }
    function _hasPackageJsonTypeModule(file) {
      const jsPath = file + ".js";
      return fs.existsSync(jsPath) ? _hasFolderPackageJsonTypeModule(path.resolve(path.dirname(jsPath))) : false;
    }
    async function _tryRequire(appRoot, moduleRoot, module2) {
      verbose(
        "Try loading as commonjs: ",
        module2,
        " with paths: ,",
        appRoot,
        moduleRoot
      );
      const lambdaStylePath = path.resolve(appRoot, moduleRoot, module2);
      const extensionless = _tryRequireFile(lambdaStylePath);
      if (extensionless) {
        return extensionless;
      }
      const pjHasModule = _hasPackageJsonTypeModule(lambdaStylePath);
      if (!pjHasModule) {
        const loaded2 = _tryRequireFile(lambdaStylePath, ".js");
        if (loaded2) {
          return loaded2;
        }
      }
      const loaded = pjHasModule && await _tryAwaitImport(lambdaStylePath, ".js") || await _tryAwaitImport(lambdaStylePath, ".mjs") || _tryRequireFile(lambdaStylePath, ".cjs");
      if (loaded) {
        return loaded;
      }
      verbose(
        "Try loading as commonjs: ",
        module2,
        " with path(s): ",
        appRoot,
        moduleRoot
      );
      const nodeStylePath = __require.resolve(module2, {
        paths: [appRoot, moduleRoot]
      });
      return __require(nodeStylePath);
    }
    async function _loadUserApp(appRoot, moduleRoot, module2) {
      if (!NoGlobalAwsLambda) {
        globalThis.awslambda = {
          streamifyResponse: (handler, options) => {
            handler[HANDLER_STREAMING] = STREAM_RESPONSE;
            if (typeof options?.highWaterMark === "number") {
              handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
            }
            return handler;
          },
          HttpResponseStream
        };
      }
      try {
        return await _tryRequire(appRoot, moduleRoot, module2);
      } catch (e) {
        if (e instanceof SyntaxError) {
          throw new UserCodeSyntaxError(e);
        } else if (e.code !== void 0 && e.code === "MODULE_NOT_FOUND") {
          verbose("globalPaths", JSON.stringify(__require("module").globalPaths));
          throw new ImportModuleError(e);
        } else {
          throw e;
        }
      }
    }
    function _throwIfInvalidHandler(fullHandlerString) {
      if (fullHandlerString.includes(RELATIVE_PATH_SUBSTRING)) {
        throw new MalformedHandlerName(
          `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`
        );
      }
    }
    function _isHandlerStreaming(handler) {
      if (typeof handler[HANDLER_STREAMING] === "undefined" || handler[HANDLER_STREAMING] === null || handler[HANDLER_STREAMING] === false) {
        return false;
      }
      if (handler[HANDLER_STREAMING] === STREAM_RESPONSE) {
        return STREAM_RESPONSE;
      } else {
        throw new MalformedStreamingHandler(
          "Only response streaming is supported."
        );
      }
    }
    function _highWaterMark(handler) {
      if (typeof handler[HANDLER_HIGHWATERMARK] === "undefined" || handler[HANDLER_HIGHWATERMARK] === null || handler[HANDLER_HIGHWATERMARK] === false) {
        return void 0;
      }
      const hwm = parseInt(handler[HANDLER_HIGHWATERMARK]);
      return isNaN(hwm) ? void 0 : hwm;
    }
    module.exports.load = async function(appRoot, fullHandlerString) {
      _throwIfInvalidHandler(fullHandlerString);
      let [moduleRoot, moduleAndHandler] = _moduleRootAndHandler(fullHandlerString);
      let [module2, handlerPath] = _splitHandlerString(moduleAndHandler);
      let userApp = await _loadUserApp(appRoot, moduleRoot, module2);
      let handlerFunc = _resolveHandler(userApp, handlerPath);
      if (!handlerFunc) {
        throw new HandlerNotFound(
          `${fullHandlerString} is undefined or not exported`
        );
      }
      if (typeof handlerFunc !== "function") {
        throw new HandlerNotFound(`${fullHandlerString} is not a function`);
      }
      return handlerFunc;
    };
    module.exports.isHandlerFunction = function(value) {
      return typeof value === "function";
    };
    function _isAsync(handler) {
      try {
        return handler && typeof handler === "function" && handler.constructor && handler.constructor.name === "AsyncFunction";
      } catch (error) {
        return false;
      }
    }
    module.exports.getHandlerMetadata = function(handlerFunc) {
      return {
        streaming: _isHandlerStreaming(handlerFunc),
        highWaterMark: _highWaterMark(handlerFunc),
        isAsync: _isAsync(handlerFunc),
        argsNum: handlerFunc.length
      };
    };
    module.exports.STREAM_RESPONSE = STREAM_RESPONSE;
  }
});

// src/Runtime.js
var require_Runtime = __commonJS({
  "src/Runtime.js"(exports, module) {
    "use strict";
    var InvokeContext = require_InvokeContext();
    var CallbackContext = require_CallbackContext();
    var StreamingContext = require_StreamingContext();
    var BeforeExitListener2 = require_BeforeExitListener();
    var { STREAM_RESPONSE } = require_UserFunction();
    var { NodeJsExit } = require_Errors();
    var { verbose, vverbose } = require_VerboseLog().logger("RAPID");
    var { structuredConsole } = require_LogPatch();
    module.exports = class Runtime {
      constructor(client, handler, handlerMetadata, errorCallbacks) {
        this.client = client;
        this.handler = handler;
        this.handlerMetadata = handlerMetadata;
        this.errorCallbacks = errorCallbacks;
        this.handleOnce = handlerMetadata.streaming === STREAM_RESPONSE ? this.handleOnceStreaming : this.handleOnceNonStreaming;
      }
      /**
       * Schedule the next loop iteration to start at the beginning of the next time
       * around the event loop.
       */
      scheduleIteration() {
        let that = this;
        setImmediate(() => {
          that.handleOnce().then(
            // Success is a no-op at this level. There are 2 cases:
            // 1 - The user used one of the callback functions which already
            //     schedules the next iteration.
            // 2 - The next iteration is not scheduled because the
            //     waitForEmptyEventLoop was set. In this case the beforeExit
            //     handler will automatically start the next iteration.
            () => {
            },
            // Errors should not reach this level in typical execution. If they do
            // it's a sign of an issue in the Client or a bug in the runtime. So
            // dump it to the console and attempt to report it as a Runtime error.
            (err) => {
              console.log(`Unexpected Top Level Error: ${err.toString()}`);
              this.errorCallbacks.uncaughtException(err);
            }
          );
        });
      }
      /**
       * Wait for the next invocation, process it, and schedule the next iteration.
       */
      async handleOnceNonStreaming() {
        let { bodyJson, headers } = await this.client.nextInvocation();
        let invokeContext = new InvokeContext(headers);
        invokeContext.updateLoggingContext();
        let [callback, callbackContext, markCompleted] = CallbackContext.build(
          this.client,
          invokeContext.invokeId,
          this.scheduleIteration.bind(this)
        );
        try {
          this._setErrorCallbacks(invokeContext.invokeId);
          this._setDefaultExitListener(invokeContext.invokeId, markCompleted, this.handlerMetadata.isAsync);
          let result = this.handler(
            JSON.parse(bodyJson),
            invokeContext.attachEnvironmentData(callbackContext),
            callback
          );
          if (_isPromise(result)) {
            result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
          }
        } catch (err) {
          callback(err);
        }
      }
      /**
       * Wait for the next invocation, process it, and schedule the next iteration.
       */
      async handleOnceStreaming() {
        let { bodyJson, headers } = await this.client.nextInvocation();
        let invokeContext = new InvokeContext(headers);
        invokeContext.updateLoggingContext();
        let streamingContext = StreamingContext.build(
          this.client,
          invokeContext.invokeId,
          this.scheduleIteration.bind(this),
          this.handlerMetadata?.highWaterMark ? { highWaterMark: this.handlerMetadata.highWaterMark } : void 0
        );
        const {
          responseStream,
          rapidResponse,
          scheduleNext,
          fail: ctxFail
        } = streamingContext.createStream();
        delete streamingContext.createStream;
        try {
          this._setErrorCallbacks(invokeContext.invokeId);
          this._setStreamingExitListener(invokeContext.invokeId, responseStream);
          const ctx = invokeContext.attachEnvironmentData(streamingContext);
          verbose("Runtime::handleOnceStreaming", "invoking handler");
          const event = JSON.parse(bodyJson);
          const handlerResult = this.handler(event, responseStream, ctx);
          verbose("Runtime::handleOnceStreaming", "handler returned");
          if (!_isPromise(handlerResult)) {
            verbose("Runtime got non-promise response");
            ctxFail("Streaming does not support non-async handlers.", scheduleNext);
            return;
          }
          const result = await handlerResult;
          if (typeof result !== "undefined") {
            console.warn("Streaming handlers ignore return values.");
          }
          verbose("Runtime::handleOnceStreaming result is awaited.");
          if (rapidResponse) {
            const res = await rapidResponse;
            vverbose("RAPID response", res);
          }
          if (!responseStream.writableFinished) {
            ctxFail("Response stream is not finished.", scheduleNext);
            return;
          }
          scheduleNext();
        } catch (err) {
          verbose("Runtime::handleOnceStreaming::finally stream destroyed");
          ctxFail(err, scheduleNext);
        }
      }
      /**
       * Replace the error handler callbacks.
       * @param {String} invokeId
       */
      _setErrorCallbacks(invokeId) {
        this.errorCallbacks.uncaughtException = (error) => {
          this.client.postInvocationError(error, invokeId, () => {
            process.exit(129);
          });
        };
        this.errorCallbacks.unhandledRejection = (error) => {
          this.client.postInvocationError(error, invokeId, () => {
            process.exit(128);
          });
        };
      }
      /**
       * Setup the 'beforeExit' listener that is used if the callback is never
       * called and the handler is not async.
       * CallbackContext replaces the listener if a callback is invoked.
       */
      _setDefaultExitListener(invokeId, markCompleted, isAsync) {
        BeforeExitListener2.set(() => {
          markCompleted();
          if (isAsync) {
            const nodeJsExitError = new NodeJsExit();
            structuredConsole.logError("Invoke Error", nodeJsExitError);
            this.client.postInvocationError(
              nodeJsExitError,
              invokeId,
              () => this.scheduleIteration()
            );
          } else {
            this.client.postInvocationResponse(
              null,
              invokeId,
              () => this.scheduleIteration()
            );
          }
        });
      }
      /**
       * Setup the 'beforeExit' listener that is used if the callback is never
       * called and the handler is not async.
       * CallbackContext replaces the listener if a callback is invoked.
       */
      _setStreamingExitListener(_invokeId) {
        BeforeExitListener2.set(() => {
          this.scheduleIteration();
        });
      }
    };
    function _isPromise(obj) {
      return obj && obj.then && typeof obj.then === "function";
    }
  }
});

// src/WarningForCallbackHandlers.js
var require_WarningForCallbackHandlers = __commonJS({
  "src/WarningForCallbackHandlers.js"(exports, module) {
    "use strict";
    var shouldWarnOnCallbackFunctionUse = (metadata) => {
      return process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === void 0 && metadata !== void 0 && metadata.argsNum == 3 && metadata.isAsync == false && metadata.streaming == false;
    };
    module.exports.checkForDeprecatedCallback = function(metadata) {
      if (shouldWarnOnCallbackFunctionUse(metadata)) {
        console.warn(
          `AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.`
        );
      }
    };
  }
});

// src/index.mjs
var RAPIDClient = require_RAPIDClient();
var Runtime = require_Runtime();
var UserFunction = require_UserFunction();
var Errors = require_Errors();
var BeforeExitListener = require_BeforeExitListener();
var LogPatch = require_LogPatch();
var { checkForDeprecatedCallback } = require_WarningForCallbackHandlers();
async function run(appRootOrHandler, handler = "") {
  LogPatch.patchConsole();
  const client = new RAPIDClient(process.env.AWS_LAMBDA_RUNTIME_API);
  let errorCallbacks = {
    uncaughtException: (error) => {
      client.postInitError(error, () => process.exit(129));
    },
    unhandledRejection: (error) => {
      client.postInitError(error, () => process.exit(128));
    }
  };
  process.on("uncaughtException", (error) => {
    LogPatch.structuredConsole.logError("Uncaught Exception", error);
    errorCallbacks.uncaughtException(error);
  });
  process.on("unhandledRejection", (reason, promise) => {
    let error = new Errors.UnhandledPromiseRejection(reason, promise);
    LogPatch.structuredConsole.logError("Unhandled Promise Rejection", error);
    errorCallbacks.unhandledRejection(error);
  });
  BeforeExitListener.reset();
  process.on("beforeExit", BeforeExitListener.invoke);
  const handlerFunc = UserFunction.isHandlerFunction(appRootOrHandler) ? appRootOrHandler : await UserFunction.load(appRootOrHandler, handler);
  const metadata = UserFunction.getHandlerMetadata(handlerFunc);
  checkForDeprecatedCallback(metadata);
  new Runtime(
    client,
    handlerFunc,
    metadata,
    errorCallbacks
  ).scheduleIteration();
}

// entry.mjs
await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);

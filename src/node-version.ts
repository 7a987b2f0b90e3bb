/** The oldest Node.js cloudfn runs on; `engines.node` in package.json says the same. */
export const MINIMUM_NODE = '22.12.0'

/**
 * Why cloudfn cannot run on `version` (a `process.versions.node` string), or
 * undefined when it can. Older Nodes lack what the emulators and the sandbox
 * use (`Promise.withResolvers`, `require(esm)`), and failed later with
 * messages that blamed the network or the user's code.
 */
export function unsupportedNodeReason(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split('.').map(Number)
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined
  return `cloudfn needs Node.js ${MINIMUM_NODE} or newer, and this is Node.js ${version}. Install Node.js 22 or 24 (https://nodejs.org), or run through a version manager (nvm, fnm, volta).`
}

/** Called by every entry point when it loads, so the first thing an old Node shows is the requirement. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const reason = unsupportedNodeReason(version)
  if (reason) throw new Error(reason)
}

/**
 * Labels mark what cloudfn manages and carry the hashes that make an
 * unchanged redeploy detectable. Label values are limited to 63 characters of
 * `[a-z0-9_-]`, too short for 64 hex digits, so hashes are stored as
 * unpadded lowercase base32 (52 characters) and read back as hex.
 */
export const MANAGED_LABEL = 'cloudfn-managed'
export const CODE_LABEL = 'cloudfn-code'
export const CONFIG_LABEL = 'cloudfn-config'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

export function hexToLabel(hex: string): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of Buffer.from(hex, 'hex')) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31]
  return out
}

export function labelToHex(label: string | undefined): string {
  if (!label) return ''
  let bits = 0
  let value = 0
  const bytes: number[] = []
  for (const char of label) {
    const index = ALPHABET.indexOf(char)
    if (index < 0) return ''
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(bytes).toString('hex')
}

export function cloudfnLabels(codeHash: string, configHash: string): Record<string, string> {
  return { [MANAGED_LABEL]: 'true', [CODE_LABEL]: hexToLabel(codeHash), [CONFIG_LABEL]: hexToLabel(configHash) }
}

export function isManaged(labels: Readonly<Record<string, string>> | null | undefined): boolean {
  return labels?.[MANAGED_LABEL] === 'true'
}

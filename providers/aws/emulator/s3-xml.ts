/**
 * Just enough XML for the S3 requests @aws-sdk/client-s3 sends (its
 * `restXml` serializer writes elements and text only, plus the `xmlns`
 * attribute of the root): a reader of elements, their text and children.
 * Anything it cannot read is S3's MalformedXML answer.
 */
import { AwsFault } from './wire.ts'

export interface XmlNode {
  name: string
  children: XmlNode[]
  /** The element's text (entities decoded), for elements without children. */
  text: string
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10))
    return ENTITIES[entity] ?? whole
  })
}

/** S3's answer to a body it cannot read (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export const malformedXml = () =>
  new AwsFault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema')

/** The document's root element. */
export function parseXml(text: string): XmlNode {
  const body = text.replace(/^\s*<\?xml[^>]*\?>/, '')
  const stack: XmlNode[] = [{ name: '#document', children: [], text: '' }]
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy
  let match: RegExpExecArray | null
  let at = 0
  for (;;) {
    tag.lastIndex = at
    match = tag.exec(body)
    if (!match) break
    at = tag.lastIndex
    const [, closing, name, , selfClosing, text] = match
    const top = stack[stack.length - 1] as XmlNode
    if (text !== undefined) {
      top.text += decodeEntities(text)
    } else if (closing) {
      if (top.name !== name || stack.length === 1) throw malformedXml()
      stack.pop()
    } else {
      const node: XmlNode = { name: name as string, children: [], text: '' }
      top.children.push(node)
      if (!selfClosing) stack.push(node)
    }
  }
  const [document] = stack
  const roots = document?.children ?? []
  if (at !== body.length || stack.length !== 1 || roots.length !== 1 || document?.text.trim()) throw malformedXml()
  return roots[0] as XmlNode
}

export const childrenNamed = (node: XmlNode, name: string) => node.children.filter((child) => child.name === name)

/** The text of the first child of that name (undefined when there is none). */
export const childText = (node: XmlNode, name: string): string | undefined =>
  node.children.find((child) => child.name === name)?.text

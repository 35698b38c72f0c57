// Text that goes into an XML document Parker writes (feeds, OPML, NFOs). The builder
// escapes `&`, `<`, `>` and quotes; what it cannot help with are the characters XML 1.0
// forbids even as references (C0 controls other than tab and newlines, lone surrogates,
// U+FFFE/U+FFFF): a reader rejects the whole document for one of them, so they go.
// Everything else stays, right-to-left marks and overrides included: they are text.

const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(text: string): string {
  return text.replace(NOT_XML, '');
}

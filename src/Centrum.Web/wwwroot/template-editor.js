// The template import page's editor: a plain textarea the circuit does not bind, so a pasted model of up to REST's
// 1 MiB never travels as one circuit message (SignalR's default limit for a message to the server is 32 KB). The text
// is read as a stream (Blazor's JavaScript-to-.NET streaming, in chunks) when the person imports it, and an uploaded
// file is written into the editor, where it stays to be fixed if the import is refused.
export function read(element) {
  return new TextEncoder().encode(element.value);
}

export function write(element, text) {
  element.value = text;
}

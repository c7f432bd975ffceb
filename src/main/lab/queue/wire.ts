// Plain JSON for queue messages, keeping the typed arrays the engine's messages carry (masks, labels, predictions).
const TYPED = '$typed';

type TypedName = 'u8' | 'u16';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return { [TYPED]: 'u8', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (v instanceof Uint16Array) return { [TYPED]: 'u16', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || !(TYPED in v)) return v;
    const { [TYPED]: kind, b64 } = v as { [TYPED]: TypedName; b64: unknown };
    if (typeof b64 !== 'string') return v;
    const bytes = Buffer.from(b64, 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    if (kind === 'u8') return copy;
    if (kind === 'u16' && copy.byteLength % 2 === 0) return new Uint16Array(copy.buffer);
    return v;
  });
}

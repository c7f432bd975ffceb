// Reading LabCalls off the WebSocket: size limit, JSON, shape; anything unusable becomes an error LabReply.
import { type LabReply } from '../../shared/contract';
import { LabError } from '../../shared/errors';

/** Largest message answered normally; bigger ones get an error reply and the connection stays open. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest frame the server reads at all; beyond this `ws` closes the connection with 1009 (message too big). */
export const HARD_MAX_MESSAGE_BYTES = 4 * MAX_MESSAGE_BYTES;
/** Deepest nesting of arrays and objects read; no LabApi request comes close, and deeper JSON overflows recursive code. */
export const MAX_JSON_DEPTH = 64;
/** Reply id used when the message it answers had no readable id. Clients number their calls from 1. */
export const UNKNOWN_ID = 0;

export type IncomingMessageResult = { kind: 'call'; id: number; method: unknown; params: unknown } | { kind: 'reject'; reply: LabReply };

function reject(id: number, err: LabError): IncomingMessageResult {
  return { kind: 'reject', reply: { id, ok: false, error: err.toJSON() } };
}

function readId(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Size of a `ws` message payload, whatever form `ws` delivered it in. */
export function payloadBytes(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function payloadText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** True when `text` nests arrays/objects deeper than `max`, found by one scan that skips strings (no recursion). */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A short description of any JSON value, never its whole text: it may be a megabyte deep. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Turns one WebSocket message into a call to dispatch, or the error reply to send back instead. */
export function readCall(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): IncomingMessageResult {
  const bytes = payloadBytes(data);
  if (bytes > MAX_MESSAGE_BYTES) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes (1 MiB)`, 'message'));
  }
  if (isBinary) return reject(UNKNOWN_ID, new LabError('invalid_argument', 'binary frames are not accepted; send JSON text', 'message'));
  const text = payloadText(data);
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `message nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}`, 'message'));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `message is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 'message'));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', 'message must be a JSON object {"id", "method", "params"}', 'message'));
  }
  const msg = parsed as Record<string, unknown>;
  const id = readId(msg.id);
  if (id === null) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `id must be a positive integer (got ${describeValue(msg.id)})`, 'id'));
  }
  // Methods whose request is empty may omit params.
  return { kind: 'call', id, method: msg.method, params: msg.params === undefined ? {} : msg.params };
}

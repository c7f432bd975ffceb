// Reading LabCalls off the WebSocket: size limit, JSON, shape; anything unusable becomes an error LabReply.
import { type LabReply } from '../../shared/contract';
import { LabError } from '../../shared/errors';

/** Largest message answered normally; bigger ones get an error reply and the connection stays open. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest frame the server reads at all; beyond this `ws` closes the connection with 1009 (message too big). */
export const HARD_MAX_MESSAGE_BYTES = 4 * MAX_MESSAGE_BYTES;
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

/** Turns one WebSocket message into a call to dispatch, or the error reply to send back instead. */
export function readCall(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): IncomingMessageResult {
  const bytes = payloadBytes(data);
  if (bytes > MAX_MESSAGE_BYTES) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes (1 MiB)`, 'message'));
  }
  if (isBinary) return reject(UNKNOWN_ID, new LabError('invalid_argument', 'binary frames are not accepted; send JSON text', 'message'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(payloadText(data));
  } catch (err) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `message is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 'message'));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', 'message must be a JSON object {"id", "method", "params"}', 'message'));
  }
  const msg = parsed as Record<string, unknown>;
  const id = readId(msg.id);
  if (id === null) {
    return reject(UNKNOWN_ID, new LabError('invalid_argument', `id must be a positive integer (got ${JSON.stringify(msg.id) ?? 'nothing'})`, 'id'));
  }
  // Methods whose request is empty may omit params.
  return { kind: 'call', id, method: msg.method, params: msg.params === undefined ? {} : msg.params };
}

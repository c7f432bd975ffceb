// The one request wrapper shared by Electron IPC and the `rlab serve` WebSocket: sender check, schema parse, service call, envelope.
import { LAB_REQUEST_SCHEMAS, type LabMethod, type LabMethods } from '../../shared/contract';
import { LabError, type Envelope, type LabErrorShape } from '../../shared/errors';
import { parseOrThrow } from '../../shared/validate';

export interface DispatchContext {
  /** Whether the transport vouches for the caller (IPC: the sender frame is ours; WebSocket: the token matched). */
  senderOk: boolean;
}

/** True for own keys of LAB_REQUEST_SCHEMAS only, so names like "toString" or "__proto__" are not methods. */
export function isLabMethod(name: unknown): name is LabMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(LAB_REQUEST_SCHEMAS, name);
}

/** The error half of the envelope for anything thrown; unexpected errors keep their message but become 'internal'. */
export function errorShape(err: unknown): LabErrorShape {
  return LabError.wrap(err).toJSON();
}

/**
 * Runs one LabApi call for a transport. Never throws and never rejects: every failure, including a service that
 * throws synchronously or returns something that is not a promise, comes back as `{ ok: false, error }`.
 */
export async function dispatch(service: LabMethods, method: unknown, params: unknown, ctx: DispatchContext): Promise<Envelope<unknown>> {
  try {
    if (!ctx.senderOk) throw new LabError('permission_denied', 'request refused: the caller is not authorised (untrusted sender or missing token)');
    if (!isLabMethod(method)) {
      const shown = typeof method === 'string' ? JSON.stringify(method.length > 60 ? `${method.slice(0, 57)}...` : method) : method === null ? 'null' : Array.isArray(method) ? 'a list' : typeof method;
      throw new LabError('unsupported', `unknown method ${shown}; known methods: ${Object.keys(LAB_REQUEST_SCHEMAS).join(', ')}`, 'method');
    }
    const request = parseOrThrow(LAB_REQUEST_SCHEMAS[method], params);
    // The table guarantees request matches the method's parameter; TypeScript cannot correlate the two through the union.
    const call = service[method] as (req: unknown) => Promise<unknown>;
    if (typeof call !== 'function') throw new LabError('unsupported', `the lab service does not implement ${method}`, 'method');
    const result = await call.call(service, request);
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: errorShape(err) };
  }
}

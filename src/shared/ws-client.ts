// LabApi over the `rlab serve` WebSocket (src/main/server/PROTOCOL.md): numbered calls, replies matched by id,
// events fanned out locally, automatic reconnection; makeLabApi turns it into the LabApi (and errors into LabErrors).
// Used by the browser page and, with the `ws` package's WebSocket, by CLI commands that are clients of a running host.
import { type LabApi } from './contract';
import { LabError, type LabErrorShape } from './errors';
import { EventHub, isEventMessage } from './event-hub';
import { makeLabApi } from './make-lab-api';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** The part of the browser WebSocket this client uses (the `ws` package's client has it too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface WsLabClientOptions {
  /** ws://host:port/ws?token=… */
  url: string;
  /** Defaults to the global WebSocket. */
  WebSocketImpl?: WebSocketCtor;
  /** Waits between reconnection attempts; the last one repeats. */
  reconnectDelaysMs?: readonly number[];
  /** A call not answered within this time rejects (training is not a call: it reports through events). */
  callTimeoutMs?: number;
  /** Default true. False: a lost connection closes the client for good (a CLI command whose host went away). */
  reconnect?: boolean;
  /** What a lost connection is called in errors when `reconnect` is false; default "the lab server". */
  serverName?: string;
}

/** Close code the server uses for a missing or wrong token: retrying cannot help. */
export const UNAUTHORIZED_CLOSE = 4401;
const OPEN = 1;

interface Pending {
  method: string;
  resolve(value: unknown): void;
  /** With a LabError or the server's `{ code, message, field? }`; makeLabApi makes a LabError of either. */
  reject(err: LabError | LabErrorShape): void;
  timer: ReturnType<typeof setTimeout>;
  sent: boolean;
  payload: string;
}

export class WsLabClient {
  readonly api: LabApi;
  private readonly hub = new EventHub();
  private readonly pending = new Map<number, Pending>();
  private readonly stateListeners = new Set<(state: ConnectionState, generation: number) => void>();
  private readonly Impl: WebSocketCtor;
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;
  private socket: WebSocketLike | null = null;
  private nextId = 1;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private _state: ConnectionState = 'connecting';
  /** Counts successful opens, so views can refetch what they may have missed while disconnected. */
  private _generation = 0;

  constructor(private readonly options: WsLabClientOptions) {
    const Impl = options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!Impl) throw new LabError('unsupported', 'this environment has no WebSocket');
    this.Impl = Impl;
    this.delays = options.reconnectDelaysMs ?? [250, 500, 1000, 2000, 5000];
    this.timeoutMs = options.callTimeoutMs ?? 10 * 60_000;
    this.api = makeLabApi(
      (method, params) => this.call(method, params),
      (event, cb) => this.hub.on(event, cb),
    );
    this.connect();
  }

  get state(): ConnectionState {
    return this._state;
  }

  get generation(): number {
    return this._generation;
  }

  onStateChange(cb: (state: ConnectionState, generation: number) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  /** Closes for good: pending calls reject and no reconnection follows. */
  close(): void {
    this.setState('closed');
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'client closed');
    this.socket = null;
    this.failAll(new LabError('cancelled', 'the lab connection was closed'));
  }

  private setState(state: ConnectionState): void {
    if (this._state === state && state !== 'open') return;
    this._state = state;
    for (const cb of [...this.stateListeners]) cb(state, this._generation);
  }

  private connect(): void {
    const socket = new this.Impl(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this._generation += 1;
      this.setState('open');
      for (const p of this.pending.values()) {
        if (!p.sent) {
          socket.send(p.payload);
          p.sent = true;
        }
      }
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onerror = () => undefined; // a close event always follows and carries the code
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onClosed(ev.code, ev.reason);
    };
  }

  private onClosed(code: number, reason: string): void {
    if (code === UNAUTHORIZED_CLOSE && this._state !== 'closed') {
      // the server closes before reading anything, so every call, sent or not, was refused
      this.setState('unauthorized');
      this.failAll(new LabError('permission_denied', `the lab server refused this page: ${reason || 'missing or wrong token'}. Open the address rlab serve printed, token included.`));
      return;
    }
    // calls already on the wire may or may not have run: say so rather than retrying them
    for (const [id, p] of this.pending) {
      if (!p.sent) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new LabError('io_error', `the connection to the lab server was lost before ${p.method} answered; it may or may not have run`));
    }
    if (this._state === 'closed') return;
    if (this.options.reconnect === false) {
      this.setState('closed');
      this.failAll(new LabError('io_error', `the connection to ${this.options.serverName ?? 'the lab server'} was lost${code === 1001 ? ' (it is shutting down)' : ''}`));
      return;
    }
    this.setState('reconnecting');
    const delay = this.delays[Math.min(this.attempt, this.delays.length - 1)] ?? 1000;
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this._state !== 'closed') this.connect();
    }, delay);
  }

  private failAll(err: LabError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private receive(data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      console.error('lab server sent a message that is not JSON');
      return;
    }
    if (isEventMessage(msg)) {
      this.hub.emit(msg);
      return;
    }
    const reply = msg as { id?: unknown; ok?: unknown; result?: unknown; error?: LabErrorShape };
    if (typeof reply.id !== 'number') return;
    const p = this.pending.get(reply.id);
    if (!p) {
      if (reply.ok === false && reply.error) console.error(`lab server could not read a message: ${reply.error.message}`);
      return;
    }
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok === true) p.resolve(reply.result);
    else p.reject(reply.error ?? new LabError('internal', `malformed reply to ${p.method}`));
  }

  /**
   * One of the server's own calls, which are not LabApi methods (e.g. `createModelDownload`, see src/shared/downloads.ts);
   * rejects with a LabError.
   */
  async callServer<T>(method: string, params: unknown): Promise<T> {
    try {
      return (await this.call(method, params)) as T;
    } catch (err) {
      throw err instanceof LabError ? err : LabError.from(err as LabErrorShape);
    }
  }

  private call(method: string, params: unknown): Promise<unknown> {
    if (this._state === 'unauthorized') return Promise.reject(new LabError('permission_denied', `cannot call ${method}: the lab server refused this page's token`));
    if (this._state === 'closed') return Promise.reject(new LabError('failed_precondition', `cannot call ${method}: the lab connection is closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new LabError('io_error', `${method} got no answer within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      const payload = JSON.stringify({ id, method, params });
      const p: Pending = { method, resolve, reject, timer, sent: false, payload };
      this.pending.set(id, p);
      if (this.socket && this.socket.readyState === OPEN) {
        this.socket.send(payload);
        p.sent = true;
      }
    });
  }
}

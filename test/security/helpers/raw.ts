// Raw TCP, HTTP and WebSocket bytes for the security suite: what a hostile client sends, unfiltered by any library.
import net from 'node:net';

export interface RawResult {
  data: Buffer;
  /** HTTP status of the first response line, or null when none came. */
  status: number | null;
  /** The server closed the connection (rather than the test giving up waiting). */
  closedByServer: boolean;
}

export interface RawOptions {
  /** Give up waiting for the server after this long (then the test closes the socket). */
  timeoutMs?: number;
  /** Half-close (FIN) after writing, keep reading. */
  halfClose?: boolean;
  /** Reset the connection right after writing. */
  reset?: boolean;
  /** Stop reading once this much has arrived. */
  maxBytes?: number;
}

export function statusOf(data: Buffer): number | null {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 64).toString('latin1'));
  return m ? Number(m[1]) : null;
}

/** Connects, writes `chunks` in order, and collects whatever comes back until the server closes or time runs out. */
export function rawExchange(port: number, chunks: readonly (string | Buffer)[], opts: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(parts);
      resolve({ data, status: statusOf(data), closedByServer });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 3000);
    socket.on('error', () => finish(true));
    socket.on('data', (d) => {
      parts.push(d);
      size += d.length;
      if (opts.maxBytes !== undefined && size >= opts.maxBytes) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.once('connect', () => {
      for (const c of chunks) socket.write(c);
      if (opts.reset) socket.resetAndDestroy();
      else if (opts.halfClose) socket.end();
    });
  });
}

export const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A WebSocket upgrade request; `headers` replace or add to the usual ones (null removes one). */
export function upgradeRequest(port: number, target: string, headers: Record<string, string | null> = {}): string {
  const base: Record<string, string | null> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': WS_KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(base)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

export interface FrameOptions {
  mask?: boolean;
  fin?: boolean;
  /** Length written in the header, whatever the payload really is (a frame that claims more than it brings). */
  declaredLength?: bigint;
  rsv?: number;
}

/** One WebSocket frame. Clients must mask; `mask: false` makes the protocol error a server has to survive. */
export function frame(opcode: number, payload: Buffer | string, opts: FrameOptions = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = opts.mask ?? true;
  const len = opts.declaredLength ?? BigInt(body.length);
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f);
  let header: Buffer;
  if (len < 126n) header = Buffer.from([first, (mask ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(len), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(len, 2);
  }
  if (!mask) return Buffer.concat([header, body]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) masked[i] = body[i]! ^ key[i % 4]!;
  return Buffer.concat([header, key, masked]);
}

export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;

/** Close codes of the close frames the server sent after its 101 response. */
export function closeCodes(data: Buffer): number[] {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return [];
  const codes: number[] = [];
  let i = end + 4;
  while (i + 2 <= data.length) {
    const op = data[i]! & 0x0f;
    let len = data[i + 1]! & 0x7f;
    let off = i + 2;
    if (len === 126) {
      if (off + 2 > data.length) break;
      len = data.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (off + 8 > data.length) break;
      len = Number(data.readBigUInt64BE(off));
      off += 8;
    }
    if (op === OP_CLOSE && len >= 2 && off + 2 <= data.length) codes.push(data.readUInt16BE(off));
    i = off + len;
  }
  return codes;
}

/** An authenticated raw WebSocket: the socket after a 101, for tests that control every byte and every read. */
export function openRawWs(port: number, target: string, headers: Record<string, string | null> = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error('no 101 in time')), 10_000);
    socket.on('error', () => undefined);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.indexOf('\r\n\r\n') < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      if (statusOf(got) === 101) resolve(socket);
      else reject(new Error(`upgrade answered ${got.subarray(0, 40).toString('latin1')}`));
    };
    socket.on('data', onData);
    socket.once('connect', () => socket.write(upgradeRequest(port, target, headers)));
  });
}

// Test helper: a real `ws` client that collects every message and can await the reply to one call id.
import { WebSocket } from 'ws';
import { type LabReply } from '../../../../src/shared/contract';

export interface TestClient {
  ws: WebSocket;
  messages: unknown[];
  /** Sends raw text or JSON and resolves with the reply whose id matches. */
  call(id: number, method: string, params?: unknown): Promise<LabReply>;
  nextMessage(predicate: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

export function connect(url: string): Promise<TestClient> {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(m);
    const i = waiters.findIndex((w) => w.predicate(m));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const nextMessage = (predicate: (m: Record<string, unknown>) => boolean, timeoutMs = 5000) => {
    const seen = messages.find((m) => predicate(m as Record<string, unknown>));
    if (seen) return Promise.resolve(seen as Record<string, unknown>);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message in time')), timeoutMs);
      waiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  };
  const client: TestClient = {
    ws,
    messages,
    closed,
    nextMessage,
    call: (id, method, params) => {
      ws.send(JSON.stringify({ id, method, params }));
      return nextMessage((m) => m.id === id && 'ok' in m) as unknown as Promise<LabReply>;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

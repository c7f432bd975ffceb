// A small in-test LabService: records calls, answers from per-method handlers, and emits events on demand.
import { EVENT_SUBSCRIBERS, LAB_EVENTS, LAB_METHODS, type LabEventName, type LabEvents, type LabMethod, type LabMethods } from '../../../../src/shared/contract';
import { LabError } from '../../../../src/shared/errors';
import { type LabEventSource } from '../../../../src/main/handlers/events';

export interface FakeLab {
  service: LabMethods & LabEventSource;
  calls: { method: LabMethod; request: unknown }[];
  /** Replaces the answer of one method. */
  answer(method: LabMethod, fn: (request: unknown) => unknown): void;
  emit<K extends LabEventName>(event: K, payload: LabEvents[K]): void;
  listenerCount(): number;
}

export function createFakeLab(): FakeLab {
  const calls: FakeLab['calls'] = [];
  const answers = new Map<LabMethod, (request: unknown) => unknown>();
  const listeners = new Map<LabEventName, Set<(payload: unknown) => void>>(LAB_EVENTS.map((e) => [e, new Set()]));
  const service: Record<string, unknown> = {};
  for (const method of LAB_METHODS) {
    service[method] = async (request: unknown) => {
      calls.push({ method, request });
      const fn = answers.get(method);
      if (!fn) throw new LabError('unsupported', `fake lab has no answer for ${method}`);
      return fn(request);
    };
  }
  for (const event of LAB_EVENTS) {
    service[EVENT_SUBSCRIBERS[event]] = (cb: (payload: unknown) => void) => {
      listeners.get(event)!.add(cb);
      return () => listeners.get(event)!.delete(cb);
    };
  }
  return {
    service: service as unknown as LabMethods & LabEventSource,
    calls,
    answer: (method, fn) => answers.set(method, fn),
    emit: (event, payload) => {
      for (const cb of listeners.get(event)!) cb(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

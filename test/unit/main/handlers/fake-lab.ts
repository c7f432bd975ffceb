// A small in-test LabService: records calls, answers from per-method handlers, and emits events on demand.
// Built by makeLabApi like every other LabApi, so it has exactly the contract's methods and subscriptions.
import { type LabApi, type LabEventMessage, type LabEventName, type LabEvents, type LabMethod } from '../../../../src/shared/contract';
import { LabError } from '../../../../src/shared/errors';
import { EventHub } from '../../../../src/shared/event-hub';
import { makeLabApi } from '../../../../src/shared/make-lab-api';

export interface FakeLab {
  service: LabApi;
  calls: { method: LabMethod; request: unknown }[];
  /** Replaces the answer of one method. */
  answer(method: LabMethod, fn: (request: unknown) => unknown): void;
  emit<K extends LabEventName>(event: K, payload: LabEvents[K]): void;
  listenerCount(): number;
}

export function createFakeLab(): FakeLab {
  const calls: FakeLab['calls'] = [];
  const answers = new Map<LabMethod, (request: unknown) => unknown>();
  const hub = new EventHub();
  const service = makeLabApi(
    async (method, request) => {
      calls.push({ method, request });
      const fn = answers.get(method);
      if (!fn) throw new LabError('unsupported', `fake lab has no answer for ${method}`);
      return fn(request);
    },
    (event, cb) => hub.on(event, cb),
  );
  return {
    service,
    calls,
    answer: (method, fn) => answers.set(method, fn),
    emit: (event, payload) => hub.emit({ event, payload } as LabEventMessage),
    listenerCount: () => hub.listenerCount(),
  };
}

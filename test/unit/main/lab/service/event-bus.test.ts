import { describe, expect, it } from 'vitest';
import { EVENT_SUBSCRIBERS, LAB_EVENTS, type LabEventName } from '../../../../../src/shared/contract';
import { EventBus, eventSubscriptions } from '../../../../../src/main/lab/service/event-bus';

describe('EventBus', () => {
  it('delivers each event to its subscribers until they unsubscribe', () => {
    const bus = new EventBus();
    const got: string[] = [];
    const off = bus.on('log', (e) => got.push(e.message));
    bus.on('progress', () => got.push('progress'));
    bus.emit('log', { level: 'info', message: 'one' });
    off();
    bus.emit('log', { level: 'info', message: 'two' });
    expect(got).toEqual(['one']);
    expect(bus.listenerCount('log')).toBe(0);
    expect(bus.listenerCount('progress')).toBe(1);
  });

  it('keeps delivering when a subscriber throws, and reports the error', () => {
    const errors: LabEventName[] = [];
    const bus = new EventBus((event) => errors.push(event));
    const got: string[] = [];
    bus.on('log', () => {
      throw new Error('listener bug');
    });
    bus.on('log', (e) => got.push(e.message));
    bus.emit('log', { level: 'warn', message: 'still here' });
    expect(got).toEqual(['still here']);
    expect(errors).toEqual(['log']);
  });

  it('a subscriber removing itself during delivery does not skip the others', () => {
    const bus = new EventBus();
    const got: number[] = [];
    const off = bus.on('log', () => {
      got.push(1);
      off();
    });
    bus.on('log', () => got.push(2));
    bus.emit('log', { level: 'info', message: 'x' });
    bus.emit('log', { level: 'info', message: 'y' });
    expect(got).toEqual([1, 2, 2]);
  });
});

describe('eventSubscriptions', () => {
  it('offers one LabApi onX method per event, wired to the bus', () => {
    const bus = new EventBus();
    const api = eventSubscriptions(bus);
    for (const event of LAB_EVENTS) {
      const seen: unknown[] = [];
      const on = api[EVENT_SUBSCRIBERS[event]] as (cb: (p: unknown) => void) => () => void;
      const off = on((p) => seen.push(p));
      const payload = { marker: event } as never;
      bus.emit(event, payload);
      off();
      bus.emit(event, payload);
      expect(seen, event).toEqual([payload]);
    }
  });
});

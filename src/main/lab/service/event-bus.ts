// Typed publish/subscribe for LabEvents; a throwing subscriber never breaks the service or the other subscribers.
import { EVENT_SUBSCRIBERS, LAB_EVENTS, type LabApi, type LabEventName, type LabEvents } from '../../../shared/contract';

type Listener<K extends LabEventName> = (payload: LabEvents[K]) => void;
export type Unsubscribe = () => void;

export class EventBus {
  private readonly listeners = new Map<LabEventName, Set<Listener<LabEventName>>>();

  constructor(private readonly onListenerError: (event: LabEventName, err: unknown) => void = () => undefined) {}

  on<K extends LabEventName>(event: K, cb: Listener<K>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = cb as Listener<LabEventName>;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  emit<K extends LabEventName>(event: K, payload: LabEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  listenerCount(event: LabEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}

type EventSubscriptions = Pick<LabApi, (typeof EVENT_SUBSCRIBERS)[LabEventName]>;

/** The LabApi onX methods (onRunStatus, onProgress, ...) backed by a bus. */
export function eventSubscriptions(bus: EventBus): EventSubscriptions {
  const out = {} as Record<string, (cb: (payload: never) => void) => Unsubscribe>;
  for (const event of LAB_EVENTS) {
    out[EVENT_SUBSCRIBERS[event]] = (cb) => bus.on(event, cb as Listener<typeof event>);
  }
  return out as unknown as EventSubscriptions;
}

// Local fan-out of lab events for clients that receive one stream of LabEventMessages (the WebSocket client).
import { EVENT_SUBSCRIBERS, LAB_EVENTS, type LabApi, type LabEventMessage, type LabEventName, type LabEvents } from './contract';

type Listener = (payload: never) => void;
export type LabSubscriptions = Pick<LabApi, (typeof EVENT_SUBSCRIBERS)[LabEventName]>;

export class EventHub {
  private readonly listeners = new Map<LabEventName, Set<Listener>>();

  on<K extends LabEventName>(event: K, cb: (payload: LabEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = cb as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** Delivers one message; unknown event names are ignored so a newer server does not break an older page. */
  emit(message: LabEventMessage): void {
    const set = this.listeners.get(message.event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: unknown) => void)(message.payload);
      } catch (err) {
        // one broken view must not stop the others from updating
        console.error(`lab event listener for "${message.event}" failed`, err);
      }
    }
  }

  /** The onRunStatus/onProgress/... half of LabApi, backed by this hub. */
  subscriptions(): LabSubscriptions {
    const out: Record<string, (cb: (payload: never) => void) => () => void> = {};
    for (const event of LAB_EVENTS) out[EVENT_SUBSCRIBERS[event]] = (cb) => this.on(event, cb as (payload: LabEvents[typeof event]) => void);
    return out as unknown as LabSubscriptions;
  }
}

/** True for a well-formed event message naming a known event. */
export function isEventMessage(value: unknown): value is LabEventMessage {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.event === 'string' && (LAB_EVENTS as readonly string[]).includes(v.event) && 'payload' in v;
}

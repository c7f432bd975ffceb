// Local fan-out of lab events for clients that receive one stream of LabEventMessages (the WebSocket client, the
// preload) and for test fakes; makeLabApi's onX methods subscribe through `on`.
import { LAB_EVENTS, type LabEventMessage, type LabEventName, type LabEvents } from './contract';
import { LabError } from './errors';

type Listener = (payload: never) => void;

export class EventHub {
  private readonly listeners = new Map<LabEventName, Set<Listener>>();

  /** Throws for a name that is not a lab event: nothing would ever be delivered to it. */
  on<K extends LabEventName>(event: K, cb: (payload: LabEvents[K]) => void): () => void {
    if (!(LAB_EVENTS as readonly string[]).includes(event)) throw new LabError('unsupported', `unknown lab event ${JSON.stringify(event)}; known events: ${LAB_EVENTS.join(', ')}`, 'event');
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

  /** Subscribers of every event together. */
  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

/** True for a well-formed event message naming a known event. */
export function isEventMessage(value: unknown): value is LabEventMessage {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.event === 'string' && (LAB_EVENTS as readonly string[]).includes(v.event) && 'payload' in v;
}

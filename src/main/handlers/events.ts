// Turns the LabApi's per-event subscriptions into one stream of LabEventMessages, for transports that forward every event.
import { EVENT_SUBSCRIBERS, LAB_EVENTS, type LabEventMessage, type LabEventName, type LabEvents, type LabSubscriptions } from '../../shared/contract';

/** The event half of LabApi: onRunStatus, onProgress, ... */
export type LabEventSource = LabSubscriptions;

/** Subscribes to every lab event; the returned function unsubscribes from all of them. */
export function subscribeAll(source: LabEventSource, listener: (message: LabEventMessage) => void): () => void {
  const offs = LAB_EVENTS.map(<K extends LabEventName>(event: K) => {
    // Each on-method takes a callback for its own payload type; the mapping table pairs them, the cast restates it.
    const on = source[EVENT_SUBSCRIBERS[event]] as (cb: (payload: LabEvents[K]) => void) => () => void;
    return on.call(source, (payload: LabEvents[K]) => listener({ event, payload } as LabEventMessage));
  });
  return () => {
    for (const off of offs) off();
  };
}

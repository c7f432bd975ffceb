// The page's LabApi inside Electron, over the preload's `window.lab`.
import { EVENT_SUBSCRIBERS, type LabApi } from '../../../shared/contract';
import { makeLabApi } from '../../../shared/make-lab-api';

/**
 * Rejections of `window.lab` cross Electron's context bridge as plain `{ code, message, field? }` objects (the bridge
 * keeps only an Error's message); makeLabApi rebuilds the LabError from them.
 */
export function overPreload(bridged: LabApi): LabApi {
  return makeLabApi(
    (method, request) => (bridged[method] as (req: unknown) => Promise<unknown>)(request),
    (event, cb) => (bridged[EVENT_SUBSCRIBERS[event]] as (listener: typeof cb) => () => void)(cb),
  );
}

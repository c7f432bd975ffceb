// The one global the renderer knows: the LabApi the Electron preload exposes (absent in a plain browser).
import { type LabApi } from '../../shared/contract';

declare global {
  interface Window {
    readonly lab: LabApi;
  }
}

export {};

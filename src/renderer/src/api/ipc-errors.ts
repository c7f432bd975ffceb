// Rebuilds LabError around the preload's window.lab: its rejections arrive as plain { code, message, field } objects
// because Electron's context bridge strips every property of an Error except the message.
import { LAB_METHODS, type LabApi, type LabMethods } from '../../../shared/contract';
import { LabError, type LabErrorShape } from '../../../shared/errors';

export function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  if (err !== null && typeof err === 'object' && typeof (err as LabErrorShape).code === 'string' && typeof (err as LabErrorShape).message === 'string') {
    return LabError.from(err as LabErrorShape);
  }
  return LabError.wrap(err);
}

/** The same LabApi with every method's rejection turned into a LabError; subscriptions pass through. */
export function withLabErrors(api: LabApi): LabApi {
  const wrapped: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const m of LAB_METHODS) {
    const call = api[m] as (req: unknown) => Promise<unknown>;
    wrapped[m] = (req) =>
      Promise.resolve()
        .then(() => call(req))
        .catch((err: unknown) => {
          throw toLabError(err);
        });
  }
  return {
    ...(wrapped as unknown as LabMethods),
    onRunStatus: (cb) => api.onRunStatus(cb),
    onProgress: (cb) => api.onProgress(cb),
    onEpochEnd: (cb) => api.onEpochEnd(cb),
    onEvaluation: (cb) => api.onEvaluation(cb),
    onLog: (cb) => api.onLog(cb),
    onDatasetProgress: (cb) => api.onDatasetProgress(cb),
    onJobFinished: (cb) => api.onJobFinished(cb),
  };
}

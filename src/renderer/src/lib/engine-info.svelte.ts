// The engine record of this lab (what the worker runs on), fetched once for the banner and the Run page.
import { type EngineRecord } from '../../../shared/contract';
import { getLab } from '../api/lab';
import { errorText } from './format';

class EngineInfo {
  record = $state<EngineRecord | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.record = await getLab().engineInfo({});
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }
}

export const engineInfo = new EngineInfo();

/** Native TensorFlow is the real engine; wasm and pure-JS cpu are fallbacks a person should know about. */
export function isFallback(record: EngineRecord | null): boolean {
  return record !== null && record.backend !== 'tensorflow';
}

// Small key → JSON value settings kept with the lab's data (e.g. last used dataset, UI preferences).
import { LabError } from '../../../shared/errors';
import { decodeJson, encodeJson } from './codec';
import { writeTx, type StoreContext } from './context';

export interface SettingsRepo {
  /** The stored value, or undefined when the key was never set. */
  getSetting<T = unknown>(key: string): T | undefined;
  setSetting(key: string, value: unknown): void;
  deleteSetting(key: string): boolean;
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new LabError('invalid_argument', `key must be a string of 1–200 characters (got ${JSON.stringify(key)})`, 'key');
  }
}

export function makeSettingsRepo(ctx: StoreContext): SettingsRepo {
  const get = ctx.db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
  const put = ctx.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  const del = ctx.db.prepare('DELETE FROM settings WHERE key = ?');

  return {
    getSetting<T>(key: string): T | undefined {
      checkKey(key);
      const text = get.get(key);
      return text === undefined ? undefined : decodeJson<T>(text);
    },
    setSetting: writeTx(ctx, (key: string, value: unknown) => {
      checkKey(key);
      const text = value === undefined ? undefined : encodeJson(value);
      if (text === undefined) throw new LabError('invalid_argument', `value of setting ${key} must be JSON-serialisable`, 'value');
      put.run(key, text, ctx.now());
    }),
    deleteSetting: writeTx(ctx, (key: string) => {
      checkKey(key);
      return del.run(key).changes > 0;
    }),
  };
}

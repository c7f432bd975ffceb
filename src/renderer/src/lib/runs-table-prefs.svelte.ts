// What a person chose for the Experiments table (its columns, grouping by experiment), kept in localStorage so that
// it survives a reload; storage that is unavailable (disabled, a sandboxed origin) keeps the choice for the page only.
import { type ColumnKey, COLUMNS_STORAGE_KEY, parseColumnChoice, toggleColumn } from './runs-columns';

export const GROUPING_STORAGE_KEY = 'rlab.runs.group';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // the choice still applies to this page
  }
}

export class RunsTablePrefs {
  columns = $state<ColumnKey[]>(parseColumnChoice(read(COLUMNS_STORAGE_KEY)));
  /** Rows under a header per experiment; on unless turned off. */
  grouped = $state(read(GROUPING_STORAGE_KEY) !== 'none');

  toggle(key: ColumnKey): void {
    this.columns = toggleColumn(this.columns, key);
    write(COLUMNS_STORAGE_KEY, JSON.stringify(this.columns));
  }

  setGrouped(on: boolean): void {
    this.grouped = on;
    write(GROUPING_STORAGE_KEY, on ? 'experiment' : 'none');
  }
}

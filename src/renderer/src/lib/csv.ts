// A browser download of CSV text (src/shared/csv.ts writes it) or of any data:/blob: URL.
export { toCsv, type CsvCell } from '../../../shared/csv';

/** Saves a URL (data: or blob:) under `filename` through an <a download> click: a browser download; Electron asks where. */
export function downloadUrl(filename: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Saves text through an <a download> click: works in browsers and in Electron (which shows a save dialog). */
export function downloadText(filename: string, text: string, mime = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mime};charset=utf-8` }));
  downloadUrl(filename, url);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

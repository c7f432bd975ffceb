// A chart as a PNG file: its canvas drawn on the card's background under its title (the canvas itself is transparent
// and carries no title, which is HTML around it), saved through an <a download> click like the CSV exports.

/** The PNG's layout: the title band's height and the padding around the plot, in CSS pixels. */
export const PNG_TITLE_HEIGHT = 24;
export const PNG_PADDING = 8;

/** A data: URL of the chart as PNG at the canvas' own resolution (device pixels). */
export function chartPng(canvas: HTMLCanvasElement, title: string): string {
  const style = window.getComputedStyle(canvas);
  const root = window.getComputedStyle(document.documentElement);
  const background = root.getPropertyValue('--surface').trim() || '#ffffff';
  const text = root.getPropertyValue('--text').trim() || style.color || '#1d232b';
  const scale = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  const pad = Math.round(PNG_PADDING * scale);
  const head = Math.round(PNG_TITLE_HEIGHT * scale);
  const out = document.createElement('canvas');
  out.width = canvas.width + 2 * pad;
  out.height = canvas.height + head + 2 * pad;
  const ctx = out.getContext('2d');
  if (!ctx) return canvas.toDataURL('image/png');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = text;
  ctx.font = `600 ${Math.round(13 * scale)}px ${style.fontFamily || 'sans-serif'}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, pad, pad + head / 2, out.width - 2 * pad);
  ctx.drawImage(canvas, pad, pad + head);
  return out.toDataURL('image/png');
}

// Browser downloads of a run's model: the WebSocket call `createModelDownload` exports it into a private temporary
// folder (through the same call path as every LabApi call, so a proxy's host does the export), plans a store-only ZIP
// of a TF.js folder (an ONNX export is one file and is sent as it is) and mints a one-time ticket; `GET
// /download/<ticket>` streams it once and removes the folder. Expired and unfetched downloads are removed too.
import { createReadStream, promises as fs } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RunDetail } from '../../shared/contract';
import { CREATE_DOWNLOAD_METHOD, CreateModelDownloadRequestSchema, DOWNLOAD_PATH, type ModelDownloadTicket } from '../../shared/downloads';
import { type Envelope, LabError } from '../../shared/errors';
import { parseOrThrow } from '../../shared/validate';
import { errorShape } from '../handlers/dispatch';
import { TicketStore } from './download-tickets';
import { SERVER_LIMITS } from './limits';
import { SECURITY_HEADERS, sendText } from './static-files';
import { planZip, zipStream, type ZipFileEntry } from './zip';
import { type CallHandler } from './ws-hub';

interface Prepared {
  /** The temporary folder that holds the export; removed once sent or discarded. */
  dir: string;
  filename: string;
  contentType: string;
  totalBytes: number;
  /** A TF.js folder: the archive's entries. */
  entries?: ZipFileEntry[];
  /** An ONNX export: the one file. */
  file?: string;
}

export interface DownloadsOptions {
  /** Answers LabApi calls (getRun, exportModel) as the WebSocket does. */
  call: CallHandler;
  log: (line: string) => void;
  ttlMs?: number;
  maxBytes?: number;
  maxLive?: number;
  /** Where temporary export folders are made; default the OS temp folder. */
  tmpRoot?: string;
}

const MIB = 1024 * 1024;

/** `text` cut down to what is safe in a file name on every OS and in a quoted header: A-Z a-z 0-9 . _ -. */
export function safeFilePart(text: string, fallback: string): string {
  const s = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 60)
    .replace(/[.-]+$/, '');
  return s === '' ? fallback : s;
}

async function result<T>(envelope: Promise<Envelope<unknown>>): Promise<T> {
  const e = await envelope;
  if (!e.ok) throw LabError.from(e.error);
  return e.result as T;
}

export class Downloads {
  private readonly tickets: TicketStore<Prepared>;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly maxLive: number;
  /** Exports under way: they count against `maxLive` before they have a ticket. */
  private preparing = 0;
  /** Folders being sent now; close() removes them too. */
  private readonly sending = new Set<string>();
  /** Removals of discarded folders still under way; close() waits for them. */
  private readonly removing = new Set<Promise<void>>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly opts: DownloadsOptions) {
    this.ttlMs = opts.ttlMs ?? SERVER_LIMITS.downloadTtlMs;
    this.maxBytes = opts.maxBytes ?? SERVER_LIMITS.maxDownloadBytes;
    this.maxLive = opts.maxLive ?? SERVER_LIMITS.maxLiveDownloads;
    this.tickets = new TicketStore<Prepared>({ ttlMs: this.ttlMs, maxLive: this.maxLive, discard: (p) => this.discard(p.dir) });
    this.sweeper = setInterval(() => this.tickets.sweep(), Math.min(5000, this.ttlMs));
    this.sweeper.unref();
  }

  /** The server's own WebSocket calls, by method name. */
  get serverCalls(): Record<string, (params: unknown) => Promise<Envelope<unknown>>> {
    return { [CREATE_DOWNLOAD_METHOD]: (params) => this.create(params) };
  }

  private discard(dir: string): void {
    const removal = this.remove(dir).finally(() => this.removing.delete(removal));
    this.removing.add(removal);
  }

  private async remove(dir: string): Promise<void> {
    try {
      await fs.rm(dir, { recursive: true, force: true });
    } catch (err) {
      this.opts.log(`could not remove the temporary download folder ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Exports the run's model into a temporary folder and returns a ticket for it; never rejects. */
  async create(params: unknown): Promise<Envelope<ModelDownloadTicket>> {
    let dir: string | null = null;
    try {
      const { runId, format } = parseOrThrow(CreateModelDownloadRequestSchema, params);
      if (this.closed) throw new LabError('failed_precondition', 'the server is shutting down');
      if (this.tickets.liveCount + this.preparing >= this.maxLive) {
        throw new LabError('failed_precondition', `${this.maxLive} downloads are already being prepared or waiting to be fetched; fetch them or wait ${Math.round(this.ttlMs / 1000)} s until they expire`);
      }
      this.preparing += 1;
      try {
        const run = await result<RunDetail>(this.opts.call('getRun', { runId }));
        dir = await fs.mkdtemp(path.join(this.opts.tmpRoot ?? os.tmpdir(), 'rlab-download-'));
        const outDir = path.join(dir, format === 'onnx' ? 'model.onnx' : 'model');
        const { files } = await result<{ files: string[] }>(this.opts.call('exportModel', { runId, format, outDir, recordArtifact: false }));
        const base = `rlab-${safeFilePart(run.name, 'model')}-${runId}-${format}`;
        const prepared = format === 'onnx' ? await this.onnx(dir, outDir, files, base) : await this.tfjs(dir, outDir, files, base);
        if (prepared.totalBytes > this.maxBytes) {
          throw new LabError('failed_precondition', `the export is ${(prepared.totalBytes / MIB).toFixed(1)} MiB; downloads are limited to ${Math.round(this.maxBytes / MIB)} MiB (export it to a folder on the lab machine instead)`);
        }
        if (this.closed) throw new LabError('failed_precondition', 'the server is shutting down');
        const { ticket, expiresAt } = this.tickets.mint(prepared);
        dir = null; // the ticket owns the folder now
        return { ok: true, result: { url: `${DOWNLOAD_PATH}${ticket}`, filename: prepared.filename, bytes: prepared.totalBytes, expiresAt: new Date(expiresAt).toISOString() } };
      } finally {
        this.preparing -= 1;
      }
    } catch (err) {
      return { ok: false, error: errorShape(err) };
    } finally {
      if (dir !== null) await this.remove(dir);
    }
  }

  /** Every written file must be inside the temporary folder: the archive never picks up anything else. */
  private inside(dir: string, files: string[]): void {
    for (const f of files) {
      const rel = path.relative(dir, f);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new LabError('internal', `the export wrote ${f}, outside its temporary folder`);
    }
  }

  private async tfjs(dir: string, outDir: string, files: string[], base: string): Promise<Prepared> {
    this.inside(outDir, files);
    const plan = await planZip(files.map((f) => [`${base}/${path.relative(outDir, f).split(path.sep).join('/')}`, f] as const));
    return { dir, filename: `${base}.zip`, contentType: 'application/zip', totalBytes: plan.totalBytes, entries: plan.entries };
  }

  private async onnx(dir: string, outFile: string, files: string[], base: string): Promise<Prepared> {
    this.inside(dir, files);
    if (files.length !== 1 || files[0] !== outFile) throw new LabError('internal', `an ONNX export should write one file, ${outFile}`);
    const stat = await fs.stat(outFile);
    return { dir, filename: `${base}.onnx`, contentType: 'application/octet-stream', totalBytes: stat.size, file: outFile };
  }

  /**
   * Answers `GET /download/<ticket>`. `rest` is the path after `/download/`; it is never logged (it is the ticket).
   * Anything but one GET of a live ticket is a 4xx with a sentence saying what to do.
   */
  async serve(req: IncomingMessage, res: ServerResponse, rest: string, refusal: (line: string) => void): Promise<void> {
    const from = req.socket.remoteAddress ?? 'unknown address';
    if (req.method !== 'GET') {
      refusal(`refused HTTP ${req.method ?? ''} /download/… from ${from}: downloads take GET only`);
      sendText(res, 405, `Method Not Allowed: a download link is fetched with GET (got ${JSON.stringify((req.method ?? '').slice(0, 20))})\n`, undefined, { Allow: 'GET' });
      return;
    }
    const redeemed = this.tickets.redeem(rest);
    if (!redeemed.ok) {
      refusal(`refused GET /download/… from ${from}: ${redeemed.reason} ticket`);
      if (redeemed.reason === 'unknown') {
        sendText(res, 404, 'Not Found: no such download. The link is wrong or from an earlier run of rlab serve; start the download again from the Export page.\n');
      } else if (redeemed.reason === 'expired') {
        sendText(res, 410, `Gone: this download link expired (links last ${Math.round(this.ttlMs / 1000)} s); start the download again from the Export page.\n`);
      } else {
        sendText(res, 410, 'Gone: this download link was already used (each link downloads once); start the download again from the Export page.\n');
      }
      return;
    }
    const p = redeemed.value;
    this.sending.add(p.dir);
    try {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': p.contentType,
        'Content-Length': p.totalBytes,
        'Content-Disposition': `attachment; filename="${p.filename}"`,
        'Cache-Control': 'no-store',
      });
      const source = p.entries ? Readable.from(zipStream(p.entries)) : createReadStream(p.file!);
      await pipeline(source, res);
    } catch (err) {
      // a client that went away mid-download, or a file that changed: the response is cut short, nothing else
      this.opts.log(`download ${p.filename} was not completed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error: the download could not be sent\n');
      else res.destroy();
    } finally {
      this.sending.delete(p.dir);
      await this.remove(p.dir);
    }
  }

  /** Removes every prepared download's folder; later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const dirs = [...this.sending];
    this.tickets.close();
    await Promise.all([...dirs.map((d) => this.remove(d)), ...this.removing]);
  }
}

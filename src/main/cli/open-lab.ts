// How a command reaches the lab: through the live host when there is one (as its client), else by opening the lab
// itself: read-only for reading, with the lock for writing records, and as the published host for running jobs.
import { LabError } from '../../shared/errors';
import { connectHost, type HostClient } from '../lab/host/client';
import { findHost } from '../lab/host/discover';
import { checkHomeFolder } from '../lab/host/home-folder';
import { startPublishedHost, type PublishedHost } from '../lab/host/publish';
import { type LabAccess, type LabService } from '../lab/service/service';

/** How long a command waits for a lab whose lock another process holds: a host publishing its endpoint, or a short rm. */
const LOCKED_WAIT_MS = 15_000;
const LOCKED_POLL_MS = 250;

export interface OpenRequest {
  home: string;
  /** The flag that named the home ("--home"), so a folder that cannot be a lab is refused before anything is made. */
  homeLabel: string | null;
  access: LabAccess;
  /** `rlab serve`: this process hosts the lab with a server of its own (published by the caller), or, when another host runs, is its client. */
  serving: boolean;
  /** What this host is called in the endpoint file and in its clients' messages, e.g. "rlab run". */
  command: string;
  /** A Redis URL for the host's job queue (`--queue`); refused when a host already runs, since the queue is the host's. */
  queue?: string;
  /** One-line notices (a stale endpoint file ignored), each printed once. */
  notice(line: string): void;
  /** Refusals and errors of this host's LabApi server. */
  log(line: string): void;
}

export type OpenedLab = { kind: 'client'; lab: HostClient } | { kind: 'local'; lab: LabService } | { kind: 'host'; lab: LabService; published: PublishedHost | null };

function onceEach(notice: (line: string) => void): (line: string) => void {
  const seen = new Set<string>();
  return (line) => {
    if (seen.has(line)) return;
    seen.add(line);
    notice(line);
  };
}

async function openHere(o: OpenRequest): Promise<OpenedLab> {
  // loaded on demand: the service pulls in SQLite and the engine, which `rlab help` and flag errors never need
  const { createLabService } = await import('../lab/service/service');
  const lab = await createLabService({ home: o.home, access: o.access, ...(o.queue === undefined ? {} : { queue: o.queue }) });
  if (o.access !== 'jobs') return { kind: 'local', lab };
  if (o.serving) return { kind: 'host', lab, published: null };
  try {
    return { kind: 'host', lab, published: await startPublishedHost(lab, o.home, o.command, o.log) };
  } catch (err) {
    await lab.close();
    throw err;
  }
}

export async function openLabFor(request: OpenRequest): Promise<OpenedLab> {
  const o = { ...request, notice: onceEach(request.notice) };
  if (o.homeLabel !== null) checkHomeFolder(o.home, o.homeLabel);
  const deadline = Date.now() + LOCKED_WAIT_MS;
  for (;;) {
    const endpoint = await findHost(o.home, o.notice);
    if (endpoint && o.queue !== undefined) throw new LabError('failed_precondition', `--queue: a lab host already runs for ${o.home} (${endpoint.command}, pid ${endpoint.pid}); the queue belongs to the host, so stop it and start the sweep here, or start it with \`rlab serve --queue URL\``, 'queue');
    if (endpoint) return { kind: 'client', lab: await connectHost(endpoint) };
    try {
      return await openHere(o);
    } catch (err) {
      // the lock of a live process: a host about to publish its endpoint, or a write command that ends in a moment
      const locked = err instanceof LabError && err.code === 'conflict' && err.field === 'home';
      if (!locked || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, LOCKED_POLL_MS));
    }
  }
}

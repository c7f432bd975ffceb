// Finds the live host of a lab from its endpoint file: trusted only when its process runs and its port answers, with
// the file's token, as that very process speaking this protocol. Anything else is ignored with a one-line notice.
import { request } from 'node:http';
import { LAB_PROTOCOL_VERSION } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { endpointPath, readEndpoint, type HostEndpoint } from './endpoint-file';
import { processAlive } from '../process-alive';

/** How long a host may take to answer its health check; a loaded machine answers slowly, a wrong port at once. */
const PROBE_TIMEOUT_MS = 5000;
const MAX_HEALTH_BYTES = 64 * 1024;


type Probe = { ok: true; pid: unknown; protocol: unknown } | { ok: false; why: string };

/** GET /api/health on the endpoint's port with its token; what it answered, or why it is not a lab host. */
export function probeHost(endpoint: HostEndpoint, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const ws = new URL(endpoint.url);
  return new Promise((resolve) => {
    const req = request(
      { host: ws.hostname.replace(/^\[|\]$/g, ''), port: ws.port, path: '/api/health', method: 'GET', headers: { Authorization: `Bearer ${endpoint.token}` }, timeout: timeoutMs },
      (res) => {
        let body = '';
        let tooBig = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_HEALTH_BYTES) {
            tooBig = true;
            res.destroy();
          }
        });
        res.on('error', () => resolve({ ok: false, why: 'its answer broke off' }));
        res.on('end', () => {
          if (tooBig) return resolve({ ok: false, why: 'it answers with something that is not a lab host' });
          if (res.statusCode === 401) return resolve({ ok: false, why: 'it refuses the token in the file' });
          if (res.statusCode !== 200) return resolve({ ok: false, why: `it answers HTTP ${res.statusCode ?? '?'}, not as a lab host` });
          try {
            const parsed = JSON.parse(body) as { ok?: unknown; result?: { pid?: unknown; protocol?: unknown } };
            if (parsed.ok !== true || typeof parsed.result !== 'object' || parsed.result === null) return resolve({ ok: false, why: 'it does not answer as a lab host' });
            resolve({ ok: true, pid: parsed.result.pid, protocol: parsed.result.protocol });
          } catch {
            resolve({ ok: false, why: 'it does not answer as a lab host (not JSON)' });
          }
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, why: `it did not answer within ${Math.round(timeoutMs / 1000)} s` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, why: err.code === 'ECONNREFUSED' ? 'nothing listens on its port' : `it cannot be reached (${err.code ?? err.message})` }));
    req.end();
  });
}

function protocolMismatch(home: string, endpoint: HostEndpoint, theirs: unknown): LabError {
  return new LabError(
    'failed_precondition',
    `the lab at ${home} is open in ${endpoint.command} (pid ${endpoint.pid}), which speaks LabApi protocol ${String(theirs)}; this rlab speaks protocol ${LAB_PROTOCOL_VERSION}. Use the same version of the lab for both, or stop that host first`,
    'home',
  );
}

/**
 * The live host of `home`, or null when there is none. A stale or forged endpoint file (its process gone, the file
 * not the user's own, its port held by another program or refusing its token) is reported through `notice` and
 * ignored. A live host of another protocol version is an error: neither side could read the other.
 */
export async function findHost(home: string, notice: (line: string) => void): Promise<HostEndpoint | null> {
  const read = readEndpoint(home);
  if (read.kind === 'none') return null;
  const file = endpointPath(home);
  if (read.kind === 'untrusted') {
    notice(`ignoring ${file}: ${read.why}; it is not trusted`);
    return null;
  }
  const endpoint = read.endpoint;
  if (!processAlive(endpoint.pid)) {
    notice(`ignoring ${file}: its host (${endpoint.command}, pid ${endpoint.pid}) is no longer running; the next host replaces the file`);
    return null;
  }
  if (endpoint.protocol !== LAB_PROTOCOL_VERSION) throw protocolMismatch(home, endpoint, endpoint.protocol);
  const probe = await probeHost(endpoint);
  if (!probe.ok) {
    notice(`ignoring ${file}: the port it names (${new URL(endpoint.url).host}) is not this lab's host: ${probe.why}`);
    return null;
  }
  if (probe.pid !== endpoint.pid) {
    notice(`ignoring ${file}: the server on ${new URL(endpoint.url).host} is not the host it names (pid ${endpoint.pid})`);
    return null;
  }
  if (probe.protocol !== LAB_PROTOCOL_VERSION) throw protocolMismatch(home, endpoint, probe.protocol);
  return endpoint;
}

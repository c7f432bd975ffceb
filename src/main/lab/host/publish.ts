// Makes a lab's host reachable: publishes a running LabApi server in the endpoint file, or, for a host that has no
// server of its own (`rlab run`, the desktop app), first starts one on a free loopback port with a random token.
import { LAB_PROTOCOL_VERSION, type LabMethods } from '../../../shared/contract';
import { type LabEventSource } from '../../handlers/events';
import { startServer, type RunningServer } from '../../server/server';
import { generateToken } from '../../server/token';
import { writeEndpoint } from './endpoint-file';

export interface PublishedHost {
  server: RunningServer;
  /** Removes the endpoint file (new clients stop finding the host), then closes the server and its connections. */
  close(): Promise<void>;
}

/** Writes the endpoint of `server` into `home`; returns the function that removes it (run on exit too). */
export async function publishEndpoint(home: string, server: RunningServer, command: string): Promise<() => void> {
  const url = new URL(server.wsUrl);
  url.search = '';
  return writeEndpoint(home, { protocol: LAB_PROTOCOL_VERSION, url: url.toString(), token: server.token, pid: process.pid, command, startedAt: new Date().toISOString() });
}

/**
 * Serves `service` on 127.0.0.1 at a free port (the same server and checks as `rlab serve`, the UI included when
 * `rendererDir` or this checkout's out/renderer has it) and publishes it.
 */
export async function startPublishedHost(service: LabMethods & LabEventSource, home: string, command: string, log: (line: string) => void, rendererDir?: string): Promise<PublishedHost> {
  const server = await startServer({ service, host: '127.0.0.1', port: 0, token: generateToken(), log, ...(rendererDir !== undefined ? { rendererDir } : {}) });
  let unpublish: () => void;
  try {
    unpublish = await publishEndpoint(home, server, command);
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    close: async () => {
      unpublish();
      await server.close();
    },
  };
}

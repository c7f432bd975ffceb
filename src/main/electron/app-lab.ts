// The desktop app's lab: the client of a host that already runs it (`rlab serve`, a `rlab run`), or else the host
// itself, published in the endpoint file so the CLI and browsers become its clients.
import { type LabMethods } from '../../shared/contract';
import { type LabEventSource } from '../handlers/events';
import { connectHost } from '../lab/host/client';
import { findHost } from '../lab/host/discover';
import { startPublishedHost } from '../lab/host/publish';
import { labHome } from '../lab/data/paths';
import { createLabService, type LabServiceOptions } from '../lab/service/service';

export interface AppLab {
  api: LabMethods & LabEventSource;
  home: string;
  /** The host this app is a client of, e.g. "rlab serve (pid 4242)"; null when the app is the host. */
  hostedBy: string | null;
  /** A host unpublishes and closes (a training run becomes interrupted); a client only disconnects. */
  close(): Promise<void>;
}

/** `rendererDir`: the app's built UI, which its LabApi server also serves to a browser. */
export async function openAppLab(options: Omit<LabServiceOptions, 'home' | 'access'>, rendererDir: string, log: (line: string) => void): Promise<AppLab> {
  const home = labHome();
  const endpoint = await findHost(home, log);
  if (endpoint) {
    const client = await connectHost(endpoint);
    return { api: client, home, hostedBy: client.hostedBy, close: () => client.close() };
  }
  const service = await createLabService({ ...options, home });
  try {
    const published = await startPublishedHost(service, service.home, 'the desktop app', log, rendererDir);
    return {
      api: service,
      home: service.home,
      hostedBy: null,
      close: async () => {
        await published.close();
        await service.close();
      },
    };
  } catch (err) {
    await service.close();
    throw err;
  }
}

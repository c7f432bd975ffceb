// Reactive view of the link to the lab: always "open" over Electron IPC, live state over WebSocket.
import { getWsClient, labUnavailable } from './lab';
import { forgetPageToken } from './page-token';
import { type ConnectionState } from '../../../shared/ws-client';

class Connection {
  state = $state<ConnectionState>('open');
  /** Increases on every (re)connection; views read it to refetch what they may have missed. */
  generation = $state(1);
  transport = $state<'ipc' | 'websocket'>('ipc');
  error = $state<string | null>(null);

  start(): void {
    const problem = labUnavailable();
    if (problem) {
      this.transport = 'websocket';
      this.state = 'unauthorized';
      this.error = problem.message;
      return;
    }
    const client = getWsClient();
    if (!client) return;
    this.transport = 'websocket';
    this.state = client.state;
    this.generation = Math.max(1, client.generation);
    client.onStateChange((state, generation) => {
      this.state = state;
      if (state === 'open') this.generation = generation;
      if (state === 'unauthorized') forgetPageToken(typeof sessionStorage === 'undefined' ? null : sessionStorage);
    });
  }
}

export const connection = new Connection();

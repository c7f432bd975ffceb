// `rlab serve`: the UI and the LabApi over HTTP + WebSocket until Ctrl-C, as the lab's host or as a proxy of the
// process that hosts it already (the desktop app, another serve, a `rlab run`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { LabError } from '../../../shared/errors';
import { type Command, EXIT_OK } from '../command';
import { hostProxy } from '../../lab/host/proxy';
import { publishEndpoint } from '../../lab/host/publish';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../../server/server';
import { chooseToken, TOKEN_ENV } from '../../server/token-source';

/** Serves the UI from another folder than this checkout's out/renderer (an installed or separately built UI). */
export const UI_DIR_ENV = 'RLAB_UI_DIR';

const FLAGS: readonly FlagSpec[] = [
  { name: 'queue', type: 'string', value: 'redis://HOST:PORT', help: 'send the jobs to `rlab worker` processes through BullMQ on this Redis (rediss:// for TLS; the password in the URL is never printed)' },
  { name: 'port', type: 'string', value: 'N', help: `TCP port (default ${DEFAULT_PORT}; 0 = any free port)` },
  { name: 'host', type: 'string', value: 'ADDRESS', help: `interface to bind (default ${DEFAULT_HOST}; anything else is reachable from other machines)` },
  { name: 'token', type: 'string', value: 'T', help: `access token (default: ${TOKEN_ENV}, else a fresh random one); visible to every user in \`ps\`, prefer --token-file` },
  { name: 'token-file', type: 'string', value: 'PATH', help: 'read the access token from a file only you can read (chmod 600)' },
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the UI and the lab API to a browser (127.0.0.1, token required); through the running host when there is one',
  usage: 'rlab serve [--port 8717] [--host 127.0.0.1] [--token-file PATH | --token T]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'serve');
    positionals(parsed, [], 'serve');
    const flags = new Flags(parsed);
    const port = flags.int('port') ?? DEFAULT_PORT;
    if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0–65535 (got ${port})`);
    const host = flags.string('host') ?? DEFAULT_HOST;
    if (host.trim() === '') throw new UsageError('--host must be an address such as 127.0.0.1');
    const tokenFile = flags.string('token-file');
    let token: string | undefined;
    try {
      token = chooseToken({ flag: flags.string('token'), file: tokenFile === undefined ? undefined : path.resolve(tokenFile), env: process.env }).token;
    } catch (err) {
      if (err instanceof LabError) throw new UsageError(err.message);
      throw err;
    }
    const uiDir = process.env[UI_DIR_ENV];

    // the lab's host (the CLI's other commands become its clients through the endpoint file), or, when another
    // process hosts it already, that host's client: this server then forwards its browsers' calls there
    const queue = flags.string('queue');
    const lab = await ctx.openLab('jobs', { serving: true, ...(queue === undefined ? {} : { queue }) });
    const proxy = lab.hostedBy === undefined ? null : hostProxy(lab);
    try {
      const server = await startServer({
        service: lab,
        host,
        port,
        ...(token !== undefined ? { token } : {}),
        ...(uiDir ? { rendererDir: path.resolve(uiDir) } : {}),
        ...(proxy ? { call: proxy.call, goneAway: () => proxy.lost()?.message ?? null } : {}),
        log: (line) => ctx.io.err(`rlab serve: ${line}\n`),
      });
      if (!LOOPBACK.has(host)) ctx.io.err(`warning: bound to ${host}; anyone who can reach this address and has the token can use the lab\n`);
      if (!existsSync(path.join(server.rendererDir, 'index.html'))) ctx.io.err(`note: the UI is not built (${server.rendererDir}); run \`npm run build\`. The WebSocket API works without it.\n`);
      let unpublish: () => void = () => undefined;
      if (proxy) {
        // browser pages then see what they see when a server goes away; programs get the reason from every call
        proxy.onLost((err) => {
          ctx.io.err(`rlab serve: ${err.message}; this server now answers every call with that\n`);
          server.dropClients(err.message);
        });
      } else {
        try {
          unpublish = await publishEndpoint(ctx.home(), server, 'rlab serve');
        } catch (err) {
          await server.close();
          throw err;
        }
      }
      ctx.io.out(`Robustness Lab at ${server.url}\n`);
      ctx.io.err(
        proxy
          ? `serving the lab hosted by ${lab.hostedBy} at ${ctx.home()}: its jobs run there, and stopping this server leaves them alone; Ctrl-C stops\n`
          : `hosting the lab at ${ctx.home()}; Ctrl-C stops\n`,
      );
      const signal = await new Promise<string>((resolve) => {
        const off = ctx.onInterrupt((s) => {
          off();
          resolve(s);
        });
      });
      ctx.io.err(`stopping (${signal})\n`);
      unpublish();
      await server.close();
    } finally {
      proxy?.close();
      await lab.close();
    }
    return EXIT_OK;
  },
};

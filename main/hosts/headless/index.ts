import { Session } from '../../session/session';
import { loadWorld } from '../../world/load';
import { helperEntryPath } from '../helper-path';
import { demoWorldPath, rendererDir } from '../paths';
import { ChildProcessSpawner } from './child-spawner';
import { type HeadlessServer, startHeadlessServer } from './server';

export interface HeadlessOptions {
  worldDir?: string;
  port?: number;
  token?: string;
}

export interface HeadlessHost {
  session: Session;
  server: HeadlessServer;
  stop(): Promise<void>;
}

/** The same broker as the Electron host, with child_process helpers and the console over loopback HTTP. */
export async function startHeadless(options: HeadlessOptions = {}): Promise<HeadlessHost> {
  const { world, diagnostics } = loadWorld(options.worldDir ?? demoWorldPath());
  const spawner = new ChildProcessSpawner(helperEntryPath());
  const session = new Session({ world, spawner, host: 'headless', diagnostics });
  const server = await startHeadlessServer({
    session,
    rendererDir: rendererDir(),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  session.start();
  let stopped = false;
  return {
    session,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      session.dispose();
      spawner.dispose();
      await server.close();
    },
  };
}

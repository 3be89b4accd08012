import { startHeadless } from '../main/hosts/headless';

/**
 * `serve` → the first connected connection on the demo world, headless host. Round trips through the broker,
 * against a direct channel and a raw relay in the same run, are in bench/channels.ts.
 */
async function firstConnected(): Promise<number> {
  const started = performance.now();
  const host = await startHeadless({});
  const ms = await new Promise<number>((resolve) => {
    host.session.hub.subscribe((e) => {
      if (e.kind === 'connection.state' && e.side === 'client' && e.to === 'connected')
        resolve(performance.now() - started);
    });
  });
  await host.stop();
  return ms;
}

const startup = await firstConnected();
process.stdout.write(
  `serve → first connected connection (demo world, headless host): ${startup.toFixed(0)} ms\n`,
);

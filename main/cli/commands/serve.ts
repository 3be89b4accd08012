import { describeEscape, installProcessGuard } from '../../hosts/guard';
import { serveLiveLog, serveRecording, startHeadless } from '../../hosts/headless';
import type { ServerFault } from '../../hosts/headless/server';
import { describeStartup, type StartupStep } from '../../hosts/startup';
import type { Shown } from '../../hosts/switch';
import { followFile } from '../../trace/import/live';
import { type CliCommand, InputError } from '../command';

interface ServeOptions {
  port?: string;
  record: boolean;
  sessions?: string;
  trace?: string;
  log?: string;
  follow?: boolean;
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InputError(`--port must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

/** Serves until Ctrl-C or SIGTERM, then stops the host (helpers, recording, server) and exits. */
function runUntilSignalled(host: { stop(): Promise<void> }): Promise<number> {
  installProcessGuard((escaped) => process.stderr.write(`XPC Lab: ${describeEscape(escaped)}\n`));
  const stop = async () => {
    await host.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise(() => {});
}

/** The world `serve` opens, and every one the console opens later, with its helpers as they come up. */
function printStartup(step: StartupStep, shown: Shown): void {
  const out = (line: string): void => {
    process.stdout.write(`XPC Lab: ${line}\n`);
  };
  if (step.report) return out(describeStartup(step.report).replace(/^S/, 's'));
  if (step.helper) {
    const { label, pid, outcome } = step.helper;
    const what = outcome === 'up' ? 'up' : 'exited before coming up';
    return out(
      `  ${label}${pid ? ` [${pid}]` : ''} ${what} (${step.progress.done} of ${step.progress.total})`,
    );
  }
  const session = shown.live?.session;
  if (!session) return;
  const { world } = session.broker;
  out(`world "${world.name}" (${world.jobs.length} jobs) from ${world.root}`);
  const { recording } = session;
  if (recording?.error) out(`not recording: ${recording.error}`);
  else if (recording) out(`recording to ${recording.path}`);
  out(`starting ${step.progress.total} helper${step.progress.total === 1 ? '' : 's'}`);
}

/** A request or a socket answered with an error: one line, the server goes on. */
function printFault(fault: ServerFault): void {
  const message = fault.error instanceof Error ? fault.error.message : String(fault.error);
  process.stderr.write(
    `XPC Lab: ${fault.where === 'socket' ? 'a console socket was closed' : 'a request failed'}: ${message}\n`,
  );
}

async function serveFile(path: string, kind: 'trace' | 'log', port: number | undefined): Promise<number> {
  const host = await serveRecording(path, {
    kind,
    onFault: printFault,
    ...(port === undefined ? {} : { port }),
  });
  process.stdout.write(`XPC Lab console: ${host.server.url}\n`);
  // A file that fails part way through stops the server too: the command ends with its error.
  const { events, problems } = await host.loaded.catch(async (error: unknown) => {
    await host.stop();
    throw error;
  });
  process.stdout.write(
    `XPC Lab: ${events} events from ${path}${problems ? `, ${problems} problems (shown in the console)` : ''}\n`,
  );
  return runUntilSignalled(host);
}

/** `--log -` (standard input) or `--log <file> --follow`: events are shown as the lines arrive. */
async function serveLive(log: string, port: number | undefined): Promise<number> {
  const stop = new AbortController();
  const from = log === '-' ? 'standard input' : log;
  const input = log === '-' ? process.stdin : followFile(log, { signal: stop.signal });
  const host = await serveLiveLog(input, from, {
    signal: stop.signal,
    onFault: printFault,
    ...(port === undefined ? {} : { port }),
  });
  process.stdout.write(`XPC Lab console: ${host.server.url}\nXPC Lab: showing a live log from ${from}\n`);
  host.loaded.then(
    ({ events, problems }) =>
      process.stdout.write(
        `XPC Lab: ${from} ended: ${events} events${problems ? `, ${problems} problems (shown in the console)` : ''}\n`,
      ),
    async (error: unknown) => {
      process.stderr.write(`xpc-lab serve: ${error instanceof Error ? error.message : String(error)}\n`);
      await host.stop();
      process.exit(2);
    },
  );
  return runUntilSignalled({
    stop: async () => {
      stop.abort();
      await host.stop();
    },
  });
}

/** `xpc-lab serve`: the headless host on 127.0.0.1 for a world, a recorded trace or a Mac's log. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "run a world (or reopen a trace or a Mac's log) and serve the console on 127.0.0.1",
  define(command) {
    command
      .argument('[world-dir]', 'the world folder to run (the demo world when not given)')
      .option('--port <n>', 'the port to listen on (a free one when not given)')
      .option('--no-record', 'do not record the session')
      .option('--sessions <dir>', 'where sessions are recorded (~/.xpc-lab/sessions)')
      .option('--trace <file>', 'reopen a recorded session (NDJSON trace) instead of running a world')
      .option(
        '--log <file>',
        "open a Mac's log instead of running a world; - reads standard input as it arrives (log stream | xpc-lab serve --log -)",
      )
      .option('--follow', 'with --log <file>: keep reading the file as it grows, as tail -f does');
  },
  examples: [
    'xpc-lab serve assets/worlds/acme-vpn',
    'xpc-lab serve --trace ~/.xpc-lab/sessions/session-2026-11-23T14-46-24.ndjson',
    'xpc-lab serve --log customer-log.txt',
    'log stream --style ndjson --predicate \'subsystem == "com.apple.xpc" OR process == "launchd"\' | xpc-lab serve --log -',
  ],
  async run(args, options) {
    const opts = options as unknown as ServeOptions;
    const port = parsePort(opts.port);
    if (opts.trace && opts.log) throw new InputError('give --trace or --log, not both');
    if (opts.follow && !opts.log) throw new InputError('--follow needs --log <file>');
    if (opts.log === '-' || (opts.log && opts.follow)) return serveLive(opts.log, port);
    const recording = opts.trace ?? opts.log;
    if (recording) return serveFile(recording, opts.trace ? 'trace' : 'log', port);
    const host = await startHeadless({
      onStartup: printStartup,
      onFault: printFault,
      ...(args[0] ? { worldDir: args[0] } : {}),
      ...(port === undefined ? {} : { port }),
      ...(!opts.record ? { record: false as const } : opts.sessions ? { record: opts.sessions } : {}),
    });
    process.stdout.write(`XPC Lab console: ${host.server.url}\n`);
    return runUntilSignalled(host);
  },
};

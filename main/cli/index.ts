import { parseArgs } from 'node:util';
import { serveRecording, startHeadless } from '../hosts/headless';
import { describeStartup, type StartupStep } from '../hosts/startup';
import type { Shown } from '../hosts/switch';
import { loadWorld } from '../world/load';
import { run } from './run';
import { exportCommand, importCommand } from './traces';

const USAGE = `usage: xpc-lab <command> [options]

commands:
  serve [world-dir] [--port N] [--no-record] [--sessions DIR]
                                 run a world and serve the console on 127.0.0.1,
                                 recording the session into DIR (~/.xpc-lab/sessions)
  serve --trace <file.ndjson>    reopen a recorded session in the console
  serve --log <file>             open a Mac's log (log show output) in the console
  import <file> [--trace out.ndjson] [--summary] [--date YYYY-MM-DD]
                                 turn a Mac's log into a trace; print counts
  export <trace.ndjson> [--perfetto out.json] [--csv out.csv] [--redact] [--redact-keys] [--redact-paths]
                                 Perfetto/Chrome trace JSON, or the messages as CSV
  validate <world-dir> [--json]  list a world's diagnostics; exit 1 on errors
  run [world-dir] --scenario <file> [--trace out.ndjson] [--junit out.xml]
                                 run a scenario; exit 0 only when every expectation holds

The built-in demo world is used when no world-dir is given.`;

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'no-record': { type: 'boolean' },
      sessions: { type: 'string' },
      trace: { type: 'string' },
      log: { type: 'string' },
    },
    allowPositionals: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(
      `xpc-lab serve: --port must be a whole number from 0 to 65535, got "${values.port}"\n`,
    );
    return 2;
  }
  const recording = values.trace ?? values.log;
  if (recording) return serveFile(recording, values.trace ? 'trace' : 'log', port);
  const host = await startHeadless({
    onStartup: printStartup,
    ...(positionals[0] ? { worldDir: positionals[0] } : {}),
    ...(port === undefined ? {} : { port }),
    ...(values['no-record']
      ? { record: false as const }
      : values.sessions
        ? { record: values.sessions }
        : {}),
  });
  process.stdout.write(`XPC Lab console: ${host.server.url}\n`);
  return runUntilSignalled(host);
}

/** Serves until Ctrl-C or SIGTERM, then stops the host (helpers, recording, server) and exits. */
function runUntilSignalled(host: { stop(): Promise<void> }): Promise<number> {
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
  if (session.recording) out(`recording to ${session.recording.path}`);
  out(`starting ${step.progress.total} helper${step.progress.total === 1 ? '' : 's'}`);
}

async function serveFile(path: string, kind: 'trace' | 'log', port: number | undefined): Promise<number> {
  const host = await serveRecording(path, { kind, ...(port === undefined ? {} : { port }) });
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

function validate(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!dir) {
    process.stderr.write('xpc-lab validate: name a world folder\n');
    return 2;
  }
  const { world, diagnostics } = loadWorld(dir);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ world: world.name, jobs: world.jobs.length, diagnostics }, null, 2)}\n`,
    );
  } else {
    for (const d of diagnostics) {
      const where = [d.file, d.key].filter(Boolean).join(': ');
      process.stdout.write(
        `${d.severity}: ${where ? `${where}: ` : ''}${d.message}${d.consequence ? `\n  on a Mac: ${d.consequence}` : ''}\n`,
      );
    }
    process.stdout.write(`${world.name}: ${world.jobs.length} jobs, ${diagnostics.length} diagnostics\n`);
  }
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'run':
        return await run(rest);
      case 'import':
        return await importCommand(rest);
      case 'export':
        return await exportCommand(rest);
      case 'validate':
        return validate(rest);
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`xpc-lab: unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`xpc-lab ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

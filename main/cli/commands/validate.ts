import { loadWorld } from '../../world/load';
import { type CliCommand, EXIT, printJson } from '../command';

/** `xpc-lab validate <world-dir>`: each problem with its file, key and what it does on a Mac; exit 1 on errors. */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: "list a world's diagnostics; exit 1 when any is an error",
  define(command) {
    command
      .argument('<world-dir>', 'the world folder to check, a built App.app, or a folder holding built apps')
      .option('--json', 'print the diagnostics as JSON');
  },
  examples: ['xpc-lab validate assets/worlds/northwind-guard', 'xpc-lab validate my-world --json'],
  json: '{ "world": name, "jobs": count, "errors": count, "warnings": count, "diagnostics": [{ "severity", "file"?, "key"?, "message", "consequence"? }] }',
  run([dir], options) {
    const { world, diagnostics } = loadWorld(dir!);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (options.json) {
      printJson({
        world: world.name,
        jobs: world.jobs.length,
        errors,
        warnings: diagnostics.filter((d) => d.severity === 'warning').length,
        diagnostics,
      });
    } else {
      for (const d of diagnostics) {
        const where = [d.file, d.key].filter(Boolean).join(': ');
        process.stdout.write(
          `${d.severity}: ${where ? `${where}: ` : ''}${d.message}${d.consequence ? `\n  on a Mac: ${d.consequence}` : ''}\n`,
        );
      }
      process.stdout.write(
        `${world.name}: ${world.jobs.length} jobs, ${diagnostics.length} diagnostic${diagnostics.length === 1 ? '' : 's'}${errors ? `, ${errors} error${errors === 1 ? '' : 's'}` : ''}\n`,
      );
    }
    return errors ? EXIT.failed : EXIT.ok;
  },
};

import { execFileSync } from 'node:child_process';

/** Integration and e2e tests run the built helper and console: build once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

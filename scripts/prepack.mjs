// prepack of @faultline/sdk and @faultline/collector. Their package.json points `exports` at the
// TypeScript sources for the workspace; pnpm pack swaps in publishConfig (dist/ entry points),
// npm pack does not, so a tarball from npm would not run: refuse it. Builds dist/ when missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error('Pack this package with `pnpm pack` (it rewrites exports to dist/); `npm pack` would ship the TypeScript entry points.');
  process.exit(1);
}
if (!existsSync(join(process.cwd(), 'dist', 'esm', 'index.js'))) {
  const r = spawnSync('pnpm', ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

#!/usr/bin/env node
// `pnpm collector [options]`: builds the dashboard when missing or stale, then runs the
// collector from its sources with the given options.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureDashboard } from './dashboard-build.mjs';

const root = resolve(import.meta.dirname, '..');
if (!process.argv.includes('--help')) ensureDashboard();
// node --import tsx, not the tsx CLI: its signal relay turns a clean Ctrl-C stop into exit status 130.
const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', resolve(root, 'collector', 'src', 'cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

import type { Plugin } from 'vite';
export function distPlugins(pkgDir: string): Plugin[];

// When a build is stale: its output is missing, or something it is built from changed since.
// By modification time, newest file of a folder; shared by prepack and the dashboard build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under `path` (the file itself, or every file below a folder). */
export function newestMs(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMs(join(path, name)));
  return newest;
}

/** Modification time of `file`, 0 when it is missing. */
export function builtMs(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/** True when `output` is missing or not newer than every input that exists. */
export function isStale(output, inputs) {
  const present = inputs.filter(existsSync);
  return !existsSync(output) || (present.length > 0 && Math.max(...present.map(newestMs)) >= builtMs(output));
}

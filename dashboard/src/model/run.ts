// The selected run (`service.namespace`) as it lives in the URL (`run=<namespace>`), beside the
// time range. No `run` means all runs added up.
import type { Run } from '../api/types.js';

export const RUN_PARAM = 'run';
/** Longest namespace the collector accepts as a filter. */
export const RUN_NAME_MAX_CHARS = 256;

/** Reads the selected run; a blank value is all runs, an over-long one is ignored with a warning. */
export function parseRun(params: URLSearchParams): { result: string | null; warnings: string[] } {
  const raw = params.get(RUN_PARAM);
  if (raw === null) return { result: null, warnings: [] };
  const run = raw.trim();
  if (run === '') return { result: null, warnings: [] };
  if (run.length > RUN_NAME_MAX_CHARS) return { result: null, warnings: [`ignored run= longer than ${RUN_NAME_MAX_CHARS} characters`] };
  return { result: run, warnings: [] };
}

/** Writes the run into a copy of `params` (all runs is left out to keep links short). */
export function writeRun(params: URLSearchParams, run: string | null): URLSearchParams {
  const out = new URLSearchParams(params);
  const value = run?.trim() ?? '';
  if (value === '') out.delete(RUN_PARAM);
  else out.set(RUN_PARAM, value);
  return out;
}

export interface RunOption {
  namespace: string;
  /** Whether the window holds data of this run (a run from a shared link may hold none). */
  inWindow: boolean;
}

/**
 * The selector's choices: the window's runs in the collector's order (newest first), plus the
 * selected one when the window holds none of it, so the selection stays visible and can be undone.
 * Empty (selector hidden) when the window holds no runs and none is selected.
 */
export function runOptions(runs: readonly Run[], selected: string | null): RunOption[] {
  const options: RunOption[] = runs.map((r) => ({ namespace: r.namespace, inWindow: true }));
  if (selected !== null && !runs.some((r) => r.namespace === selected)) options.unshift({ namespace: selected, inWindow: false });
  return options;
}

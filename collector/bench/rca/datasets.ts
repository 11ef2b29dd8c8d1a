// Labelled RCA cases on disk: every folder with a cases.json (the shared datasets, and the
// own-fixture cache that bench/rca.ts writes in the same format).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_INGEST_LIMITS, decodeJsonRequest } from '../../src/ingest/index.js';
import type { SpanRecord } from '../../src/model.js';

/** One labelled case, as in a dataset's cases.json. */
export interface RcaCase {
  case: string;
  /** The label: the service the fault was injected into. */
  rootService: string;
  faultType: string;
  injectMs: number;
  /** Query window for the root-cause API. */
  fromMs: number;
  toMs: number;
  dataFromMs: number;
  dataToMs: number;
  /** Gzip OTLP JSON ExportTraceServiceRequest, relative to the dataset folder. */
  file: string;
}

export interface Dataset {
  name: string;
  dir: string;
  cases: RcaCase[];
}

/** Folders under `root` (and `root` itself) that hold a cases.json. */
export function findDatasets(root: string): Dataset[] {
  if (!existsSync(root)) return [];
  const dirs = [root, ...readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(root, d.name))];
  const out: Dataset[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'cases.json');
    if (!existsSync(file)) continue;
    out.push(readDataset(dir));
  }
  return out;
}

export function readDataset(dir: string, name = dir.split(/[\\/]/).filter(Boolean).pop()!): Dataset {
  const parsed = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: RcaCase[] };
  return { name, dir, cases: parsed.cases };
}

/** A whole case in one request: the per-request caps of ingest do not apply to a file we trust. */
const CASE_LIMITS = { ...DEFAULT_INGEST_LIMITS, spansPerRequestMax: 10_000_000, bodyBytesMax: 2 ** 31 - 1 };

/** The case's spans, decoded by the collector's own OTLP JSON decoder. */
export function loadCaseSpans(dataset: Dataset, c: RcaCase): SpanRecord[] {
  const body = gunzipSync(readFileSync(join(dataset.dir, c.file)));
  return decodeJsonRequest(body, CASE_LIMITS).spans;
}

#!/usr/bin/env node
// The command of the packed package. A file of its own (not dist/esm/cli.js itself) so that the
// bin target exists in a fresh clone too, where pnpm links it before anything is built.
import '../dist/esm/cli.js';

#!/usr/bin/env node
// The `coffer` executable: runs the compiled CLI (npm install builds dist/ via `prepare`).
import { main } from '../dist/cli/main.js';

await main(process.argv.slice(2));

#!/usr/bin/env node
// The `coffer` executable: runs the compiled CLI (npm install builds dist/ via `prepare`).
import { main } from '../dist/cli/main.js';

// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22; a CLI
// keeps stderr to one clear line per failure, so that notice is off unless asked for.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await main(process.argv.slice(2));

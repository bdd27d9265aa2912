// `node scripts/turbo.mjs <turbo args>`: turbo with telemetry off and pnpm on PATH.
// The root scripts `build` and `typecheck` go through here so that no turbo run, however
// started, reaches the network.

import { turbo } from './lib.mjs';

const r = await turbo(process.argv.slice(2));
process.exitCode = r.code;

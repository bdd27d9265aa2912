/**
 * The preload entry: `node --import @g/monkey/register app.js` (or `--require` for a
 * CommonJS app) patches Node as `G_MONKEY`, `G_MONKEY_BLOCKING` and `G_CLOCK` say, before
 * the application loads. See preload.ts and env.ts.
 */
import { patchFromEnv } from './preload.js';

patchFromEnv(process.env);

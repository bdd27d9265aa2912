#!/usr/bin/env node
// The demo server's command: `demo-server --help`. Runs the build in ../dist (tsup).
import cluster from 'node:cluster';
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
// A worker's IPC channel to the primary would keep it alive: let go of it.
if (cluster.isWorker && process.connected) process.disconnect();

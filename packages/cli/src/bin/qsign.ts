#!/usr/bin/env node
/**
 * `qsign` — the command line. It maps flags to library calls and nothing more.
 * `qsign sign` goes through the local agent when client.json names one
 * (docs/agent.md), before commander or any client code is loaded.
 */
import { qsignSignViaAgent } from '../qsign-thin.js';

const viaAgent = process.argv[2] === 'sign' ? await qsignSignViaAgent(process.argv.slice(3)) : undefined;
if (viaAgent !== undefined) process.exitCode = viaAgent;
else {
  const [{ Command }, { main }] = await Promise.all([import('commander'), import('../main.js')]);
  process.exitCode = await main(process.argv, new Command());
}

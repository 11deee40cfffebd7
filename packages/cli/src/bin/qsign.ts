#!/usr/bin/env node
/**
 * `qsign` — the command line. It maps flags to library calls and nothing more.
 */
import { Command } from 'commander';
import { main } from '../main.js';

process.exitCode = await main(process.argv, new Command());

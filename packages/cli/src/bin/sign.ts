#!/usr/bin/env node
/**
 * `sign` — an obs-sign compatible client backed by the qsign cluster, so
 * Fedora Copr switches from obs-sign by changing the path of its sign binary.
 */
import { obsSign } from '../obs-sign.js';

process.exitCode = await obsSign(process.argv.slice(2));

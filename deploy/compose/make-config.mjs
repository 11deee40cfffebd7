#!/usr/bin/env node
// Writes ./config for compose.yaml (or any container cluster): per-node
// configs naming the container hosts node1..nodeN and coordinator, mutual
// TLS from a fresh cluster CA issued for those names (`qsign pki`), and one
// key split THRESHOLD-of-NODES by a development ceremony, imported into each
// node's store (development master key files; see deploy/README.md for a
// production cluster). Run from the repository after `npx tsc -b`:
//   node deploy/compose/make-config.mjs [--dir DIR] [--nodes 5] [--threshold 3] [--key NAME] [--port 7100]
// DIR defaults to deploy/compose/config. The signing client's config is DIR/client.json.
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerClusterConfigs } from '@qsign/devcluster';

const { values: v } = parseArgs({
  options: {
    dir: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), 'config') },
    nodes: { type: 'string', default: '5' },
    threshold: { type: 'string', default: '3' },
    key: { type: 'string', default: 'demo' },
    port: { type: 'string', default: '7100' },
  },
});
try {
  const { clientConfig } = await containerClusterConfigs({ dir: v.dir, nodes: Number(v.nodes), threshold: Number(v.threshold), keyName: v.key, port: Number(v.port) });
  console.log(`wrote ${v.dir}; client config ${clientConfig}`);
} catch (e) {
  console.error(`make-config: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

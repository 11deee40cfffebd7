/**
 * Every manifest in deploy/kubernetes validates against the Kubernetes API
 * schemas (kubernetes-models ships the OpenAPI schemas with compiled
 * validators, offline), and a broken one is refused.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';

const DIR = join(import.meta.dirname, '..', 'deploy', 'kubernetes');

type Model = { validate(): void };
const MODELS: Record<string, (o: never) => Model> = {
  'v1/ConfigMap': (o) => new ConfigMap(o),
  'v1/Secret': (o) => new Secret(o),
  'v1/Service': (o) => new Service(o),
  'apps/v1/Deployment': (o) => new Deployment(o),
  'apps/v1/StatefulSet': (o) => new StatefulSet(o),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o),
};

/** Every YAML document under deploy/kubernetes, with the file it came from. */
function manifests(): { file: string; doc: Record<string, unknown> }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
        if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
        return { file, doc: d.toJS() as Record<string, unknown> };
      }),
    );
}

function validate(doc: Record<string, unknown>): void {
  const kind = `${String(doc.apiVersion)}/${String(doc.kind)}`;
  const make = MODELS[kind];
  if (!make) throw new Error(`no schema for ${kind}`);
  make(doc as never).validate();
}

describe('Kubernetes manifests', () => {
  it('every manifest validates against the Kubernetes schemas', () => {
    const all = manifests();
    const kinds = new Set(all.map((m) => String(m.doc.kind)));
    for (const k of ['StatefulSet', 'Deployment', 'NetworkPolicy', 'Secret', 'ConfigMap', 'Service']) expect(kinds).toContain(k);
    for (const m of all) expect(() => validate(m.doc), `${m.file} ${String(m.doc.kind)}`).not.toThrow();
  });

  it('a manifest that breaks the schema is refused', () => {
    const sts = manifests().find((m) => m.doc.kind === 'StatefulSet')!.doc as { spec: Record<string, unknown> };
    expect(() => validate({ ...sts, spec: { ...sts.spec, replicas: 'five' } })).toThrow();
  });

  it('nodes run one per host, non-root, read-only, with a volume per node', () => {
    const sts = manifests().find((m) => m.doc.kind === 'StatefulSet')!.doc as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = sts.spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });
});

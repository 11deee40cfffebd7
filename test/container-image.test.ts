/**
 * The qsign image (deploy/container/build.sh) builds with podman here, from
 * local material only, and runs the CLI as the unprivileged user 10001 on a
 * read-only root filesystem. Built once per content hash (helpers/podman.ts).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, buildImage, podman } from './helpers/podman.js';

describe('container image', () => {
  it('builds with podman and runs qsign as a non-root user on a read-only root', () => {
    const tag = buildImage();
    const config = JSON.parse(podman(['image', 'inspect', tag]))[0].Config as { User: string; Entrypoint: string[]; Volumes: Record<string, unknown> };
    expect(config.User).toBe('10001:10001');
    expect(Object.keys(config.Volumes)).toContain('/data');
    const version = JSON.parse(readFileSync(join(REPO, 'packages', 'cli', 'package.json'), 'utf8')).version as string;
    expect(podman(['run', '--rm', '--read-only', tag, '--version']).trim()).toBe(version);
    // Writing to the root filesystem is refused; the data volume is writable.
    expect(() => podman(['run', '--rm', '--read-only', '--entrypoint', '/usr/bin/node', tag, '-e', "require('fs').writeFileSync('/app/x','')"])).toThrow(/EROFS|read-only/);
    podman(['run', '--rm', '--read-only', '-v', 'qsign-test-data:/data', '--entrypoint', '/usr/bin/node', tag, '-e', "require('fs').writeFileSync('/data/x', String(process.getuid()))"]);
    expect(podman(['run', '--rm', '--read-only', '-v', 'qsign-test-data:/data', '--entrypoint', '/usr/bin/node', tag, '-e', "process.stdout.write(require('fs').readFileSync('/data/x','utf8'))"])).toBe('10001');
    podman(['volume', 'rm', '-f', 'qsign-test-data']);
  }, 1_500_000);
});

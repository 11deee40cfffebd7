/**
 * The node's TLS access rule (docs/tls.md): pinned coordinators may call
 * everything, pinned peers only witness and read, configured clients only
 * read; everyone else is refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import { identityOfCertificate, parseIdentityUri } from '@qsign/rpc';
import { nodeAuthorizer } from '../tls-access.js';
import type { NodeConfig } from '../config.js';

const config = { nodeId: 1, coordinators: ['coord-a'], peers: [{ id: 2, enrollmentKey: '00'.repeat(32) }], clients: [{ name: 'copr', publicKey: '11'.repeat(32) }] } as unknown as NodeConfig;
const id = (uri: string) => parseIdentityUri(uri)!;

describe('node TLS access rule', () => {
  const refused: string[] = [];
  const allow = nodeAuthorizer(config, (why) => refused.push(why));

  it('lets a pinned coordinator call every node method', () => {
    for (const m of ['/qsign.v1.Node/GetCommitments', '/qsign.v1.Node/SignShare', '/qsign.v1.NodeKeys/ReshareDeal', '/qsign.v1.Audit/Cosign']) expect(allow(m, id('qsign:coordinator:coord-a'))).toBeUndefined();
  });

  it('refuses a coordinator the node does not pin', () => {
    expect(allow('/qsign.v1.Node/Status', id('qsign:coordinator:coord-b'))).toMatch(/refuses qsign:coordinator:coord-b: not a coordinator it serves/);
  });

  it('refuses a node certificate presented as the coordinator', () => {
    expect(allow('/qsign.v1.Audit/Cosign', id('qsign:node:2'))).toBeUndefined();
    expect(allow('/qsign.v1.Node/GetCommitments', id('qsign:node:2'))).toMatch(/a peer node may only witness and read/);
    expect(allow('/qsign.v1.Node/SignShare', id('qsign:node:2'))).toMatch(/only a coordinator may call it/);
    expect(allow('/qsign.v1.Audit/Cosign', id('qsign:node:3'))).toMatch(/qsign:node:3: not a pinned peer/);
  });

  it('lets a configured client read but never ask for nonces or shares', () => {
    expect(allow('/qsign.v1.Audit/GetRecords', id('qsign:client:copr'))).toBeUndefined();
    expect(allow('/qsign.v1.Node/GetCommitments', id('qsign:client:copr'))).toMatch(/a client may only read/);
    expect(allow('/qsign.v1.Audit/Cosign', id('qsign:client:copr'))).toMatch(/a client may only read/);
    expect(allow('/qsign.v1.Audit/GetRecords', id('qsign:client:mallory'))).toMatch(/not a configured client/);
  });

  it('refuses a certificate naming no qsign identity, or two', () => {
    expect(allow('/qsign.v1.Node/Status', undefined)).toMatch(/names no qsign identity/);
    expect(identityOfCertificate({ subjectaltname: 'URI:qsign:node:1, URI:qsign:coordinator:x' })).toBeUndefined();
    expect(identityOfCertificate({ subjectaltname: 'DNS:node1.example.org' })).toBeUndefined();
    expect(identityOfCertificate({ subjectaltname: 'URI:qsign:node:0' })).toBeUndefined();
    expect(identityOfCertificate({ subjectaltname: 'URI:qsign:node:3, IP Address:127.0.0.1' })).toEqual({ role: 'node', name: '3' });
    expect(refused.length).toBeGreaterThanOrEqual(7);
  });
});

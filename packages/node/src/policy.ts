/**
 * A node's own signing policy (DESIGN.md trust model 7: limited damage on
 * abuse). Pure: parsing/validation of the `policy` config section and the
 * decision for one request — allow, refuse (naming the rule) or hold for the
 * operator. Rate counts are kept by `RateCounter`, in memory (see
 * docs/operators.md: a restart forgets them).
 */
import { packageInfo } from '@qsign/rpm';
import { errorMessage, parseSimpleSigning, type PayloadKind } from '@qsign/protocol';

/** Every payload kind a rule can allow. */
export const PAYLOAD_KINDS: readonly PayloadKind[] = ['raw', 'openpgp', 'rpm-header', 'digest', 'certification', 'repomd', 'container', 'key-binding'];
/**
 * Kinds allowed when a rule does not list `payloadKinds`: all but opaque digests
 * (trust model 6) and what a build service publishes (repository metadata,
 * container signatures), which a rule must allow by name.
 */
export const DEFAULT_PAYLOAD_KINDS: readonly PayloadKind[] = ['raw', 'openpgp', 'rpm-header', 'certification', 'key-binding'];
/** Default life of a held request. */
export const DEFAULT_HOLD_EXPIRY_SECONDS = 86_400;
const HOUR_MS = 3_600_000;

/** When a request must wait for the operator. */
export type Approval = 'auto' | 'hold' | 'hold-if';

/** Conditions of `approval: "hold-if"`; any one that holds sends the request to the operator. */
export interface HoldIf {
  /** RPM requests whose package name matches none of these globs. */
  rpmNameNotIn?: string[];
  /** Opaque digest requests (kind "digest"). */
  digestOnly?: boolean;
  /** More than this many requests by the client for the key in the last hour. */
  perHourOver?: number;
}

/** Request-rate limits over a sliding hour. */
export interface RateLimit {
  /** Requests per client for this key. */
  perClientPerHour?: number;
  /** Requests for this key, all clients together. */
  perKeyPerHour?: number;
}

/** One policy rule; the first rule whose `match` fits the key name applies. */
export interface KeyRule {
  /** Key name glob ("*" and "?"), e.g. "copr-*" or "*". */
  match: string;
  /** Where the rule is in the config ("policy.keys[2]"), for reasons. */
  at: string;
  /** Client names allowed; undefined = every configured client. */
  clients?: string[];
  payloadKinds: PayloadKind[];
  /** RPM package-name globs; applies to "rpm-header" requests. */
  rpmNames?: string[];
  /** Docker reference globs ("registry.example/proj/*"); required for "container" requests. */
  containerReferences?: string[];
  rateLimit: RateLimit;
  approval: Approval;
  holdIf: HoldIf;
  holdExpirySeconds: number;
}

/** A validated policy. */
export interface Policy {
  rules: KeyRule[];
  holdExpirySeconds: number;
}

/** What the policy sees of a request. */
export interface PolicyInput {
  requestId: string;
  keyName: string;
  clientName: string;
  kind: PayloadKind;
  /** The request's data (an RPM main header for "rpm-header"). */
  data: Uint8Array;
  /** The package name, if the caller already parsed the header. */
  rpmName?: string;
  nowMs: number;
}

/** The policy's decision. */
export type PolicyDecision =
  | { action: 'allow'; rule?: string }
  | { action: 'refuse'; rule: string; reason: string }
  | { action: 'hold'; rule: string; reason: string; expirySeconds: number };

/** Compiles a glob with "*" (any run) and "?" (one character). */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** True when `name` matches one of `globs`. */
export function matchesAny(name: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(name));
}

/**
 * Validates the `policy` section of a node config. `bad(field, why)` throws
 * a config error naming the field; client names must be configured clients.
 */
export function parsePolicy(raw: unknown, clientNames: ReadonlySet<string>, bad: (field: string, why: string) => never): Policy {
  const obj = (v: unknown, f: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(f, 'must be a JSON object');
  const p = obj(raw, 'policy');
  const known = (o: Record<string, unknown>, f: string, fields: string[]) => {
    for (const k of Object.keys(o)) if (!fields.includes(k)) bad(`${f}.${k}`, `unknown field (known: ${fields.join(', ')})`);
  };
  known(p, 'policy', ['keys', 'holdExpirySeconds']);
  const posInt = (v: unknown, f: string, max = 1e9): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max ? v : bad(f, `must be an integer from 1 to ${max}`);
  const globs = (v: unknown, f: string): string[] => {
    if (!Array.isArray(v)) bad(f, 'must be a list of name patterns');
    return (v as unknown[]).map((g, i) =>
      typeof g === 'string' && /^[A-Za-z0-9._@+*?~^-]+$/.test(g) ? g : bad(`${f}[${i}]`, 'must be a name pattern of letters, digits, . _ @ + - ~ ^ and the wildcards * ?'),
    );
  };
  const holdExpirySeconds = p.holdExpirySeconds === undefined ? DEFAULT_HOLD_EXPIRY_SECONDS : posInt(p.holdExpirySeconds, 'policy.holdExpirySeconds', 30 * 86_400);
  if (!Array.isArray(p.keys) || p.keys.length === 0) bad('policy.keys', 'must be a non-empty list of key rules ({"match": "*", ...})');
  const rules = (p.keys as unknown[]).map((r, i): KeyRule => {
    const at = `policy.keys[${i}]`;
    const o = obj(r, at);
    known(o, at, ['match', 'clients', 'payloadKinds', 'rpmNames', 'containerReferences', 'rateLimit', 'approval', 'holdIf', 'holdExpirySeconds']);
    if (typeof o.match !== 'string' || !/^[A-Za-z0-9._@+*?-]+$/.test(o.match)) bad(`${at}.match`, 'must be a key name pattern ("*" matches every key)');
    let clients: string[] | undefined;
    if (o.clients !== undefined) {
      if (!Array.isArray(o.clients)) bad(`${at}.clients`, 'must be a list of client names from "clients"');
      clients = (o.clients as unknown[]).map((c, j) =>
        typeof c === 'string' && clientNames.has(c) ? c : bad(`${at}.clients[${j}]`, `${JSON.stringify(c)} is not the name of a configured client (${[...clientNames].join(', ') || 'none configured'})`),
      );
    }
    let payloadKinds = [...DEFAULT_PAYLOAD_KINDS];
    if (o.payloadKinds !== undefined) {
      if (!Array.isArray(o.payloadKinds) || o.payloadKinds.length === 0) bad(`${at}.payloadKinds`, `must be a non-empty list of ${PAYLOAD_KINDS.join(', ')}`);
      payloadKinds = (o.payloadKinds as unknown[]).map((k, j) =>
        PAYLOAD_KINDS.includes(k as PayloadKind) ? (k as PayloadKind) : bad(`${at}.payloadKinds[${j}]`, `unknown payload kind ${JSON.stringify(k)} (known: ${PAYLOAD_KINDS.join(', ')})`),
      );
    }
    const rpmNames = o.rpmNames === undefined ? undefined : globs(o.rpmNames, `${at}.rpmNames`);
    const containerReferences = parseContainerReferences(o.containerReferences, payloadKinds, at, bad);
    const rateLimit: RateLimit = {};
    if (o.rateLimit !== undefined) {
      const rl = obj(o.rateLimit, `${at}.rateLimit`);
      known(rl, `${at}.rateLimit`, ['perClientPerHour', 'perKeyPerHour']);
      if (rl.perClientPerHour !== undefined) rateLimit.perClientPerHour = posInt(rl.perClientPerHour, `${at}.rateLimit.perClientPerHour`);
      if (rl.perKeyPerHour !== undefined) rateLimit.perKeyPerHour = posInt(rl.perKeyPerHour, `${at}.rateLimit.perKeyPerHour`);
    }
    const approval = (o.approval ?? 'auto') as Approval;
    if (!['auto', 'hold', 'hold-if'].includes(approval)) bad(`${at}.approval`, 'must be "auto", "hold" or "hold-if"');
    const holdIf: HoldIf = {};
    if (o.holdIf !== undefined) {
      if (approval !== 'hold-if') bad(`${at}.holdIf`, 'is only meaningful with "approval": "hold-if"');
      const h = obj(o.holdIf, `${at}.holdIf`);
      known(h, `${at}.holdIf`, ['rpmNameNotIn', 'digestOnly', 'perHourOver']);
      if (h.rpmNameNotIn !== undefined) holdIf.rpmNameNotIn = globs(h.rpmNameNotIn, `${at}.holdIf.rpmNameNotIn`);
      if (h.digestOnly !== undefined) holdIf.digestOnly = typeof h.digestOnly === 'boolean' ? h.digestOnly : bad(`${at}.holdIf.digestOnly`, 'must be true or false');
      if (h.perHourOver !== undefined) holdIf.perHourOver = posInt(h.perHourOver, `${at}.holdIf.perHourOver`);
    }
    if (approval === 'hold-if' && Object.keys(holdIf).length === 0) bad(`${at}.holdIf`, 'approval "hold-if" needs at least one condition (rpmNameNotIn, digestOnly, perHourOver)');
    const ruleExpiry = o.holdExpirySeconds === undefined ? holdExpirySeconds : posInt(o.holdExpirySeconds, `${at}.holdExpirySeconds`, 30 * 86_400);
    return { match: o.match as string, at, clients, payloadKinds, rpmNames, containerReferences, rateLimit, approval, holdIf, holdExpirySeconds: ruleExpiry };
  });
  return { rules, holdExpirySeconds };
}

/**
 * Validates a rule's `containerReferences` (docker reference globs): a rule
 * that allows "container" must say which references its keys may sign.
 */
function parseContainerReferences(v: unknown, kinds: readonly PayloadKind[], at: string, bad: (field: string, why: string) => never): string[] | undefined {
  const f = `${at}.containerReferences`;
  if (v === undefined) {
    if (kinds.includes('container')) bad(f, 'is required when payloadKinds allows "container" (e.g. ["registry.example/proj/*"])');
    return undefined;
  }
  if (!kinds.includes('container')) bad(f, 'is only meaningful when payloadKinds allows "container"');
  if (!Array.isArray(v) || v.length === 0) bad(f, 'must be a non-empty list of docker reference patterns');
  return (v as unknown[]).map((g, i) =>
    typeof g === 'string' && g.length <= 512 && /^[A-Za-z0-9._/:@+*?-]+$/.test(g) ? g : bad(`${f}[${i}]`, 'must be a docker reference pattern of letters, digits, . _ / : @ + - and the wildcards * ?'),
  );
}

/** The docker reference of a container request, or why it cannot be read. */
export function containerReferenceOf(input: PolicyInput): { reference?: string; error?: string } {
  try {
    return { reference: parseSimpleSigning(input.data).reference };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

/**
 * Counts requests per (key, client) over a sliding hour, each request id
 * once, so a coordinator's retries and re-sends do not count twice.
 */
export class RateCounter {
  readonly #seen = new Map<string, { atMs: number; keyName: string; clientName: string }>();

  /** Records that a request passed the policy (allowed or held). */
  note(requestId: string, keyName: string, clientName: string, nowMs: number): void {
    if (!this.#seen.has(requestId)) this.#seen.set(requestId, { atMs: nowMs, keyName, clientName });
    if (this.#seen.size > 10_000) this.#prune(nowMs);
  }

  /** True when the request id was already counted. */
  has(requestId: string): boolean {
    return this.#seen.has(requestId);
  }

  /** Requests for `keyName` in the last hour (by `clientName` only, when given). */
  count(keyName: string, clientName: string | undefined, nowMs: number): number {
    this.#prune(nowMs);
    let n = 0;
    for (const e of this.#seen.values()) if (e.keyName === keyName && (clientName === undefined || e.clientName === clientName)) n++;
    return n;
  }

  #prune(nowMs: number): void {
    for (const [id, e] of this.#seen) if (nowMs - e.atMs >= HOUR_MS) this.#seen.delete(id);
  }
}

/** The package name of an RPM header request, or why it cannot be read. */
export function rpmNameOf(input: PolicyInput): { name?: string; error?: string } {
  if (input.rpmName !== undefined) return { name: input.rpmName };
  try {
    return { name: packageInfo(input.data).name };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Decides one request: the first rule matching the key applies; checks run
 * in order clients → payload kind → RPM name / container reference → rate
 * limits → approval mode.
 * A refusal names the rule (its config path and field). Without a policy
 * every configured client may use every key (the pre-policy behaviour) —
 * except for container signatures, which need a rule's containerReferences.
 */
export function evaluatePolicy(policy: Policy | undefined, input: PolicyInput, rates: RateCounter): PolicyDecision {
  if (!policy)
    return input.kind === 'container'
      ? { action: 'refuse', rule: 'policy', reason: 'this node has no policy: container signatures need a policy rule with containerReferences (docs/operators.md)' }
      : { action: 'allow' };
  const idx = policy.rules.findIndex((r) => globToRegExp(r.match).test(input.keyName));
  if (idx < 0) return { action: 'refuse', rule: 'policy.keys', reason: `no policy rule matches key ${input.keyName} (add a rule with "match": "*" for a default)` };
  const r = policy.rules[idx]!;
  const name = `${r.at} ("${r.match}")`;
  if (r.clients && !r.clients.includes(input.clientName))
    return { action: 'refuse', rule: `${r.at}.clients`, reason: `client ${input.clientName} may not use key ${input.keyName} (rule ${name}.clients allows ${r.clients.join(', ') || 'no client'})` };
  if (!r.payloadKinds.includes(input.kind))
    return {
      action: 'refuse',
      rule: `${r.at}.payloadKinds`,
      reason: `payload kind ${input.kind}${input.kind === 'digest' ? ' (digest-only)' : ''} is not allowed for key ${input.keyName} (rule ${name}.payloadKinds allows ${r.payloadKinds.join(', ')})`,
    };
  let rpmName: string | undefined;
  if (input.kind === 'rpm-header' && (r.rpmNames || r.holdIf.rpmNameNotIn)) {
    const got = rpmNameOf(input);
    if (got.error !== undefined) return { action: 'refuse', rule: `${r.at}.rpmNames`, reason: `cannot read the package name from the RPM header: ${got.error}` };
    rpmName = got.name!;
    if (r.rpmNames && !matchesAny(rpmName, r.rpmNames))
      return { action: 'refuse', rule: `${r.at}.rpmNames`, reason: `package name ${rpmName} is outside the allowed patterns ${r.rpmNames.join(', ')} of key ${input.keyName} (rule ${name}.rpmNames)` };
  }
  if (input.kind === 'container') {
    // parsePolicy requires containerReferences on rules allowing "container"; refuse if absent all the same.
    const allowed = r.containerReferences ?? [];
    const got = containerReferenceOf(input);
    if (got.error !== undefined) return { action: 'refuse', rule: `${r.at}.containerReferences`, reason: `cannot read the docker reference: ${got.error}` };
    if (!matchesAny(got.reference!, allowed))
      return { action: 'refuse', rule: `${r.at}.containerReferences`, reason: `docker reference ${got.reference} is outside the allowed references ${allowed.join(', ') || '(none)'} of key ${input.keyName} (rule ${name}.containerReferences)` };
  }
  const counted = rates.has(input.requestId);
  const perClient = rates.count(input.keyName, input.clientName, input.nowMs);
  if (!counted && r.rateLimit.perClientPerHour !== undefined && perClient >= r.rateLimit.perClientPerHour)
    return {
      action: 'refuse',
      rule: `${r.at}.rateLimit.perClientPerHour`,
      reason: `rate limit exceeded: client ${input.clientName} made ${perClient} requests for key ${input.keyName} in the last hour (rule ${name}.rateLimit.perClientPerHour = ${r.rateLimit.perClientPerHour})`,
    };
  if (!counted && r.rateLimit.perKeyPerHour !== undefined) {
    const perKey = rates.count(input.keyName, undefined, input.nowMs);
    if (perKey >= r.rateLimit.perKeyPerHour)
      return {
        action: 'refuse',
        rule: `${r.at}.rateLimit.perKeyPerHour`,
        reason: `rate limit exceeded: key ${input.keyName} had ${perKey} requests in the last hour (rule ${name}.rateLimit.perKeyPerHour = ${r.rateLimit.perKeyPerHour})`,
      };
  }
  const hold = (rule: string, reason: string): PolicyDecision => ({ action: 'hold', rule, reason, expirySeconds: r.holdExpirySeconds });
  if (r.approval === 'hold') return hold(`${r.at}.approval`, `key ${input.keyName} requires operator approval for every request (rule ${name}.approval = "hold")`);
  if (r.approval === 'hold-if') {
    const h = r.holdIf;
    if (h.rpmNameNotIn && input.kind === 'rpm-header' && !matchesAny(rpmName!, h.rpmNameNotIn))
      return hold(`${r.at}.holdIf.rpmNameNotIn`, `package name ${rpmName} is not in ${h.rpmNameNotIn.join(', ')} (rule ${name}.holdIf.rpmNameNotIn)`);
    if (h.digestOnly && input.kind === 'digest') return hold(`${r.at}.holdIf.digestOnly`, `digest-only request (rule ${name}.holdIf.digestOnly)`);
    if (h.perHourOver !== undefined && perClient + (counted ? 0 : 1) > h.perHourOver)
      return hold(`${r.at}.holdIf.perHourOver`, `client ${input.clientName} is over ${h.perHourOver} requests for key ${input.keyName} this hour (rule ${name}.holdIf.perHourOver)`);
  }
  return { action: 'allow', rule: r.at };
}

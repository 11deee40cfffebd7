/**
 * A node's error as the coordinator passes it on, prefixed with the node once:
 * nodes already name themselves ("node 1: denied by operator …") and node
 * clients name their peer ("node 1 is unreachable: …").
 */

/** `reason` prefixed with "node ID: " unless it already starts by naming node ID. */
export function fromNode(id: number, reason: string): string {
  const self = `node ${id}`;
  return reason.startsWith(`${self}:`) || reason.startsWith(`${self} `) ? reason : `${self}: ${reason}`;
}

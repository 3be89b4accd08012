import { nsErrorCodeSigning } from '../errors';
import type { Proc } from '../launchd/process';
import { codeSigning, invalidationReason, libxpc } from '../logs';
import type { BrokerState } from '../state';
import type { Connection, PendingReply, QueuedMessage } from './connection';
import type { ServiceEntry } from './namespace';
import { checkPeer, requirementCompiles } from './policy/peer-requirement';
import { prepareRequirement } from './policy/requirement';

/** Peer code-signing requirements on connections and listeners, checked against every message (XPC-MODEL §1.5). */
export class Requirements {
  constructor(private readonly s: BrokerState) {}

  /** Set before activation (XPC-MODEL §1.5); a string that does not compile is EINVAL and is not applied. */
  setRequirement(conn: Connection, requirement: string | undefined): void {
    if (requirement === undefined) return;
    if (requirementCompiles(requirement)) {
      conn.requirement = requirement;
      const { hint } = prepareRequirement(requirement);
      // XPC-MODEL §10.5: pasted `designated =>` output is stripped, and the user is told.
      if (hint) {
        this.s.emit({
          kind: 'diagnostic',
          severity: 'info',
          message: `${conn.owner.job.label}: the peer requirement "${requirement}": ${hint}`,
        });
      }
      return;
    }
    this.s.emit({
      kind: 'diagnostic',
      severity: 'error',
      message: `${conn.owner.job.label}: the peer requirement "${requirement}" does not compile (-67052)`,
      consequence:
        'xpc_connection_set_peer_code_signing_requirement returns EINVAL (22); no requirement is set',
    });
  }

  /**
   * XPC-MODEL §1.5: a listener's requirement is checked against every message; the first is the check-in.
   * [I] A client whose check-in is dropped is invalidated (NSError 4102): retrying cannot help it.
   */
  passesListenerRequirement(message: QueuedMessage, instance: Proc, service: ServiceEntry): boolean {
    const client = message.conn;
    const listener = [...instance.listeners.values()].find((l) => l.name === service.name && l.live);
    const requirement = listener?.requirement;
    if (!listener || !requirement) return true;
    const check = checkPeer(requirement, client.owner);
    if (check.ok) return true;
    this.s.log.libxpc(instance, codeSigning.checkToken(requirement, check.status));
    const peer = client.other?.live && client.boundTo === instance ? client.other : undefined;
    if (peer) {
      this.s.log.libxpc(instance, libxpc.forbiddenMessage(peer.ptr, requirement), peer.ptr);
      const reason = `forbidden by ${service.job.label}'s code signing requirement: ${check.message}`;
      this.s.emit({
        kind: 'message.dropped',
        conn: client.ptr,
        pid: client.owner.displayPid,
        request: message.id,
        reason,
      });
      return false;
    }
    this.s.log.libxpc(instance, libxpc.droppedCheckIn(listener.ptr, requirement), listener.ptr);
    const cause = `${service.job.label} requires "${requirement}"; ${client.owner.job.label} fails it (${check.message})`;
    this.s.connections.invalidate(client, {
      reason: invalidationReason.codeSigning,
      cause,
      nsError: nsErrorCodeSigning(service.name),
    });
    if (message.expectsReply) {
      const error = 'XPC_ERROR_CONNECTION_INVALID';
      this.s.replies.failRequest(client, message.requesterMsgId, message.id, error, cause);
    }
    return false;
  }

  /** XPC-MODEL §1.5: a message from a peer that fails the client's requirement is dropped. */
  passesClientRequirement(client: Connection, sender: Proc): boolean {
    const requirement = client.requirement;
    if (!requirement) return true;
    const check = checkPeer(requirement, sender);
    if (check.ok) return true;
    this.s.log.libxpc(client.owner, codeSigning.checkToken(requirement, check.status));
    this.s.log.libxpc(client.owner, libxpc.forbiddenMessage(client.ptr, requirement), client.ptr);
    const reason = `forbidden by the client's code signing requirement: ${check.message}`;
    this.s.emit({ kind: 'message.dropped', conn: client.ptr, pid: client.owner.displayPid, reason });
    return false;
  }

  /** XPC-MODEL §1.5: a reply that fails the requester's requirement becomes XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT. */
  replyPassesRequirement(requester: Connection, sender: Proc, pending: PendingReply): boolean {
    const requirement = requester.requirement;
    if (!requirement) return true;
    const check = checkPeer(requirement, sender);
    if (check.ok) return true;
    this.s.log.libxpc(requester.owner, codeSigning.checkToken(requirement, check.status));
    this.s.log.libxpc(requester.owner, codeSigning.forbiddenReply(requester.ptr, requirement), requester.ptr);
    const cause = `the reply from ${sender.job.label}[${sender.displayPid}] fails "${requirement}" (${check.message})`;
    const error = 'XPC_ERROR_PEER_CODE_SIGNING_REQUIREMENT';
    this.s.replies.failRequest(requester, pending.requesterMsgId, pending.id, error, cause);
    return false;
  }
}

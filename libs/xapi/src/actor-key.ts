import { createHash } from 'node:crypto';
import type { Actor, Agent, Group } from './actor.schema';

/**
 * Canonical actor key: one string per identified Agent or Group, used as learner identity downstream.
 *
 *   mbox          mbox:mailto:<local part>@<domain in lowercase>   (the domain is case-insensitive, Data 2.4.2.3.s4)
 *   mbox_sha1sum  mbox_sha1sum:<40 hex digits in lowercase>
 *   openid        openid:<IRI as sent>
 *   account       account:<homePage as sent>|<name as sent>          (an IRI never contains "|", so the split is unique)
 *
 * The key is built from the single Inverse Functional Identifier, so an Agent and an identified Group with the same
 * IFI share a key (the spec says they SHOULD NOT share IFIs). An anonymous Group has no identity: actorKey throws.
 */
export type ActorKey = string;

export class AnonymousGroupError extends Error {
  constructor() {
    super('an anonymous Group has no inverse functional identifier and so no actor key');
    this.name = 'AnonymousGroupError';
  }
}

export type IdentifiedActor =
  Agent | (Group & ({ mbox: string } | { mbox_sha1sum: string } | { openid: string } | { account: object }));

export function isIdentifiedActor(actor: Actor): actor is IdentifiedActor {
  return (
    actor.mbox !== undefined ||
    actor.mbox_sha1sum !== undefined ||
    actor.openid !== undefined ||
    actor.account !== undefined
  );
}

/** Lowercases the domain part of a mailto IRI, leaving the (case-sensitive) local part alone. */
export function normaliseMbox(mbox: string): string {
  const at = mbox.lastIndexOf('@');
  return at < 0 ? mbox : mbox.slice(0, at + 1) + mbox.slice(at + 1).toLowerCase();
}

/** The mbox_sha1sum a client should send for this mbox (SHA-1 of the mailto IRI, lowercase domain). */
export function mboxSha1sum(mbox: string): string {
  return createHash('sha1').update(normaliseMbox(mbox), 'utf8').digest('hex');
}

export function actorKey(actor: Actor): ActorKey {
  if (actor.mbox !== undefined) return `mbox:${normaliseMbox(actor.mbox)}`;
  if (actor.mbox_sha1sum !== undefined) return `mbox_sha1sum:${actor.mbox_sha1sum.toLowerCase()}`;
  if (actor.openid !== undefined) return `openid:${actor.openid}`;
  if (actor.account !== undefined) return `account:${actor.account.homePage}|${actor.account.name}`;
  throw new AnonymousGroupError();
}

import { normaliseMbox } from '@app/xapi/actor-key';

/**
 * Canonical actor keys as @app/xapi `actorKey()` builds them from a statement's actor, so that a key
 * typed into the registry (by a clerk or a CSV) matches the key the gateway derives:
 *
 *   mbox:mailto:<local>@<domain>          domain lowercased
 *   mbox_sha1sum:<40 hex>                 lowercased
 *   openid:<absolute URI>
 *   account:<homePage IRI>|<name>         split at the first `|` (an IRI never contains one)
 */

const MBOX = /^mailto:[^\s@]+@[^\s@]+$/;
const SHA1 = /^[0-9a-f]{40}$/i;
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;

export const ACTOR_KEY_EXAMPLES =
  'mbox:mailto:name@example.cn, mbox_sha1sum:<40 hex digits>, openid:https://…, account:https://portal.example|12345';

/** Why `raw` is not a valid actor key, or undefined when it is. */
export function actorKeyProblem(raw: string): string | undefined {
  const colon = raw.indexOf(':');
  const kind = colon < 0 ? '' : raw.slice(0, colon);
  const rest = colon < 0 ? '' : raw.slice(colon + 1);
  switch (kind) {
    case 'mbox':
      return MBOX.test(rest) ? undefined : 'an mbox key must be mbox:mailto:<name>@<domain>';
    case 'mbox_sha1sum':
      return SHA1.test(rest) ? undefined : 'an mbox_sha1sum key must be mbox_sha1sum:<40 hex digits>';
    case 'openid':
      return ABSOLUTE_URI.test(rest) ? undefined : 'an openid key must be openid:<absolute URI>';
    case 'account': {
      const bar = rest.indexOf('|');
      if (bar < 0) return 'an account key must be account:<homePage>|<name>';
      if (!ABSOLUTE_URI.test(rest.slice(0, bar))) return 'an account homePage must be an absolute IRI';
      if (rest.slice(bar + 1).length === 0) return 'an account name must not be empty';
      return undefined;
    }
    default:
      return `must be an actor key such as ${ACTOR_KEY_EXAMPLES}`;
  }
}

/** The canonical form of a valid key (call actorKeyProblem first). */
export function canonicalActorKey(raw: string): string {
  if (raw.startsWith('mbox:')) return `mbox:${normaliseMbox(raw.slice('mbox:'.length))}`;
  if (raw.startsWith('mbox_sha1sum:')) return raw.toLowerCase();
  return raw;
}

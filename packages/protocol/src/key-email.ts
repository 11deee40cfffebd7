/**
 * The email-shaped key names obs-sign clients use (`sign -u EMAIL`), as
 * copr-keygen makes them: `USER#PROJECT@copr.DOMAIN`, where a group owner is
 * written `@GROUP` (copr-backend `create_gpg_email`). Pure.
 */

/** Local part: letters, digits and `._#-`, optionally one leading `@` (a Copr group); domain: dot-separated labels. */
const KEY_EMAIL = /^@?[A-Za-z0-9._#-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/**
 * True for an email usable as a key name and OpenPGP user ID address,
 * including Copr's `user#project@copr.fedorahosted.org` and
 * `@group#project@copr.fedorahosted.org`. `+` is refused: key names are
 * c2sp.org/signed-note key names, which exclude it.
 */
export function isKeyEmail(email: unknown): email is string {
  return typeof email === 'string' && email.length <= 254 && KEY_EMAIL.test(email);
}

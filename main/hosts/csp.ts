/**
 * The console's Content-Security-Policy, the same under both hosts, sent as a
 * header with every response. renderer/index.html carries the same policy in a
 * <meta> (less frame-ancestors, which a <meta> cannot set), so the page is
 * covered however it is loaded; a test checks the built file against this.
 */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The policy as a <meta> can carry it: every directive but frame-ancestors. */
export const META_CSP = CSP.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

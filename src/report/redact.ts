/**
 * The last line of defence for what dotops prints and logs: credentials in a
 * URL (`https://<token>@host`, `scheme://user:<password>@host`) and every
 * secret value this process has looked up are replaced by `***` in log lines
 * and error messages. Plans and records never hold secrets by design
 * (placeholders, hidden diffs); this catches what a tool's or Git's error
 * message repeats back.
 */
const known = new Set<string>();

/** Values shorter than this are too common to redact (they would mangle ordinary text). */
const MIN_SECRET = 6;

/** Remember `value` (a `!secret`, a token) so no log line or error repeats it. */
export function registerSecret(value: string | undefined): void {
  const v = value?.trim();
  if (v && v.length >= MIN_SECRET) known.add(v);
}

// http(s): a token is often the user name itself; other schemes (ssh://git@) only hide a password.
const HTTP_USERINFO = /\b(https?:\/\/)[^\s/@"']+@/gi;
const PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:)[^\s/@"']+@/gi;

export function redact(text: string): string {
  let out = text.replace(HTTP_USERINFO, "$1***@").replace(PASSWORD, "$1***@");
  for (const v of known) if (out.includes(v)) out = out.replaceAll(v, "***");
  return out;
}

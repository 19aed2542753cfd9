/**
 * `~` or `~/…` as a shell expands a word that starts with it; anything else as
 * written. For argument lists run without a shell (services, health checks).
 */
export function expandTilde(word: string, home: string): string {
  return word === "~" ? home : word.startsWith("~/") ? `${home}${word.slice(1)}` : word;
}

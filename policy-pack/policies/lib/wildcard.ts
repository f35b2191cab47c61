/**
 * IAM's wildcards, `*` (any run of characters, none included) and `?` (exactly one), matched
 * without building a regular expression: in a plan's single pass every ARN and action pattern is
 * new, and compiling a RegExp for each was most of what matching cost. Matches what
 * `^<pattern with * as .* and ? as .>$` matches, character (UTF-16 code unit) for character;
 * callers keep the regular expression for the inputs named below, where the two would differ.
 */

/** Whether a value holds a character a regular expression's `.` does not match (without the s flag). */
export function hasLineTerminator(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** Whether every character is ASCII (case-insensitive matching then folds A-Z and a-z only). */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 127) return false;
  return true;
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * The classic two-pointer match: on a mismatch, the last `*` seen takes one more character. With
 * `ignoreCase`, ASCII letters match either case (callers pass ASCII only).
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length) {
      const pc = pattern.charCodeAt(p);
      if (pc === 42) {
        star = p++;
        mark = v;
        continue;
      }
      const vc = value.charCodeAt(v);
      if (pc === 63 || pc === vc || (ignoreCase && fold(pc) === fold(vc))) {
        p++;
        v++;
        continue;
      }
    }
    if (star < 0) return false;
    p = star + 1;
    v = ++mark;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

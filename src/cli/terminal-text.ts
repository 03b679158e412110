/**
 * Neutralises text that came from a server before it reaches a terminal. A tenant name or an
 * error description holding ESC sequences could retitle the terminal, rewrite the screen or
 * hide text (`\x1b]0;pwned\x07`, `\x1b[2J`); a newline or carriage return could forge an
 * `<id>: <name>` line that a script then trusts; a bidi override (U+202E) reorders what the
 * reader sees. Each such character is shown escaped instead (`\x1b`, `\u202e`), so nothing is
 * lost and nothing is interpreted.
 *
 * Covered: C0 controls (U+0000-U+001F), DEL, C1 controls (U+0080-U+009F, which some terminals
 * execute), the Unicode line and paragraph separators, and the bidi embedding, override and
 * isolate controls (Unicode TR9: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` fit for a terminal. With `keepNewlines`, `\n` stays a line break (for passgrant's own
 * multi-line messages, whose server-supplied parts are already flattened to one line); without
 * it, a value prints on exactly one line.
 */
export function terminalSafe(text: string, { keepNewlines = false } = {}): string {
  return String(text).replace(UNSAFE, (char) =>
    keepNewlines && char === "\n" ? char : escapeChar(char),
  );
}

/**
 * JSON for stdout. `JSON.stringify` already escapes C0 controls; this also escapes DEL, C1,
 * the line separators and the bidi controls as `\uXXXX`, which JSON parsers read back as the
 * same characters: the data is unchanged, the terminal is safe. `indent` spaces per level
 * (for a terminal); compact without it.
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  // A raw line feed in stringify's output is the indentation's (those inside strings are already
  // `\n`): escaping it would make the JSON invalid.
  return JSON.stringify(value, null, indent).replace(UNSAFE, (char) =>
    char === "\n" ? char : unicodeEscape(char),
  );
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : unicodeEscape(char);
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Characters a terminal acts on instead of showing: C0 controls other than line feed and tab
 * (ESC starts colour, cursor, screen-clearing and hyperlink sequences; CR overwrites a line),
 * DEL, C1 controls (CSI and OSC have one-byte forms), and the bidirectional overrides and
 * isolates (text that reads differently from how it is stored).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A line as a terminal should show it: every character it would act on instead of showing is
 * written as its `\uXXXX` escape, so text from a pull request, a manifest or a record (a
 * description, a property name, a subject) can neither colour nor clear the screen, fake a
 * link or move the cursor. Inside JSON strings the escape is the same value, so JSON output
 * stays valid and equal.
 */
export function terminalText(line: string): string {
  return line.replace(ACTIVE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

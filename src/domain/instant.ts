const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The instant of a timestamp in the one shape nearly every producer writes,
 * `Date.prototype.toISOString`'s `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ`, read by
 * character codes. The flow checks a `date-time` format and reads an event time for every
 * event: a regular expression and `Date.parse` each cost several times this. Years 1970–9999
 * (the lake's range) and real calendar dates only. Undefined for anything else, valid RFC 3339
 * or not (lowercase, offsets, other precisions, leap seconds): callers then apply their general
 * rule, so this decides nothing they would decide otherwise.
 */
export function isoInstantMs(text: string): number | undefined {
  const length = text.length;
  if ((length !== 20 && length !== 24) || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== UPPER_T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON || text.charCodeAt(length - 1) !== UPPER_Z) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const millisecond = length === 20 ? 0 : text.charCodeAt(19) === DOT ? digits(text, 20, 3) : Number.NaN;
  // NaN (a character that is no digit) fails every comparison.
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (!(year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] as number) + leapDay && hour <= 23 && minute <= 59 && second <= 59 && millisecond >= 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
}

/** The decimal number of `count` characters from `start`, or NaN when one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const digit = text.charCodeAt(index) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

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
  if (!(year >= 1970 && isCalendarDate(year, month, day) && hour <= 23 && minute <= 59 && second <= 59 && millisecond >= 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
}

/** Whether year-month-day names a day of the calendar (not 2026-04-31, 2023-02-29 or month 13). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] as number) + leapDay;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The instant of an RFC 3339 date-time (any offset, precision or case; isoInstantMs first), or
 * undefined. A day the calendar lacks or hour 24 is no instant: `Date.parse` rolls
 * `2026-04-31T10:00:00Z` over to May 1 and `T24:00:00` to the next day, which would file an event
 * under a day it does not state.
 */
export function rfc3339Ms(text: string): number | undefined {
  const fast = isoInstantMs(text);
  if (fast !== undefined) return fast;
  const match = RFC3339.exec(text);
  if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) || Number(match[4]) > 23) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
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

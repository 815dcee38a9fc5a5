/** `timestamptz::text` as PostgreSQL writes it (DateStyle ISO): `2026-11-30 14:40:32.123456+00`. */
const TIMESTAMPTZ_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::[0-5]\d){0,2}$/;

/**
 * True for a timestamp in the text form the list cursors carry, with every field in range.
 * A cursor is decoded from client input; anything that JavaScript's lenient `Date.parse` takes
 * but PostgreSQL's `::timestamptz` refuses (`"1"`, a 31st of February, year 0) must be a 400,
 * not a query that fails with a 500.
 */
export function isPostgresTimestampText(text: string): boolean {
  const match = TIMESTAMPTZ_TEXT.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours] = match.slice(1).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60 && offsetHours <= 15;
}

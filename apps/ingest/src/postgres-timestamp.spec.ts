import { isPostgresTimestampText } from './postgres-timestamp';

describe('isPostgresTimestampText', () => {
  it.each(['2026-11-30 14:40:32.123456+00', '2026-11-30 14:40:32+00', '2024-02-29 00:00:00.5-05:30', '0001-01-01 00:00:00+00'])('accepts %s', (text) => {
    expect(isPostgresTimestampText(text)).toBe(true);
  });

  // Regression (fuzz suite): Date.parse takes these, PostgreSQL does not; a cursor holding one was a 500.
  it.each(['1', '2026', '2026-11-30', '2026-11-30T14:40:32Z', '0000-01-01 00:00:00+00', '2025-02-29 00:00:00+00', '2026-13-01 00:00:00+00', '2026-11-30 24:00:00+00', '2026-11-30 14:40:32+16', ' 2026-11-30 14:40:32+00'])(
    'refuses %j',
    (text) => {
      expect(isPostgresTimestampText(text)).toBe(false);
    },
  );
});

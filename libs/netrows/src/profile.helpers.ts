import type { NetrowsDate, NetrowsPerson, NetrowsPosition } from './netrows.types';

/** Netrows marks an ongoing position with a missing `end` or `end.year` 0. */
export function isCurrentPosition(position: NetrowsPosition): boolean {
  const year = position.end?.year;
  return year === undefined || year === null || year === 0;
}

/** Sort key where unknown parts (0 / missing) rank below any known value. */
function dateRank(date: NetrowsDate | undefined): number {
  const part = (value: number | undefined): number => (typeof value === 'number' && value > 0 ? value : 0);
  return part(date?.year) * 10_000 + part(date?.month) * 100 + part(date?.day);
}

/**
 * The person's current position. People often hold several at once (a job plus a board seat
 * or a side project); the one started most recently is the best guess for the employer.
 * Ties keep the order Netrows sent, which lists the main position first.
 */
export function currentPosition(profile: NetrowsPerson): NetrowsPosition | undefined {
  let best: NetrowsPosition | undefined;
  for (const position of profile.position ?? []) {
    if (!isCurrentPosition(position)) continue;
    if (best === undefined || dateRank(position.start) > dateRank(best.start)) best = position;
  }
  return best;
}

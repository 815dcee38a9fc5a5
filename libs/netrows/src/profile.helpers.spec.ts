import { currentPosition, isCurrentPosition } from './profile.helpers';

describe('currentPosition', () => {
  it('treats end.year 0 and a missing end as current', () => {
    expect(isCurrentPosition({ end: { year: 0, month: 0, day: 0 } })).toBe(true);
    expect(isCurrentPosition({})).toBe(true);
    expect(isCurrentPosition({ end: { year: 2021, month: 3, day: 0 } })).toBe(false);
  });

  it('prefers the current position started most recently', () => {
    const board = { title: 'Board Member', start: { year: 2019, month: 5, day: 0 }, end: { year: 0, month: 0, day: 0 } };
    const job = { title: 'vp of sales', start: { year: 2022, month: 0, day: 0 } };
    const past = { title: 'Intern', start: { year: 2023, month: 1, day: 0 }, end: { year: 2023, month: 6, day: 0 } };
    expect(currentPosition({ position: [board, past, job] })).toBe(job);
  });

  it('ranks an unknown month below a known one in the same year, and keeps the given order on ties', () => {
    const a = { title: 'a', start: { year: 2022, month: 0, day: 0 } };
    const b = { title: 'b', start: { year: 2022, month: 4, day: 0 } };
    const c = { title: 'c', start: { year: 2022, month: 4, day: 0 } };
    expect(currentPosition({ position: [a, b, c] })).toBe(b);
    expect(currentPosition({ position: [{ title: 'x' }, { title: 'y' }] })?.title).toBe('x');
  });

  it('is undefined without a current position', () => {
    expect(currentPosition({ position: [{ end: { year: 2020 } }] })).toBeUndefined();
    expect(currentPosition({})).toBeUndefined();
  });
});

import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value, retrying values and errors until then', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not up yet');
        return calls >= 3 ? 'ready' : null;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what it waited for and the last error when the deadline passes', async () => {
    await expect(waitFor(() => Promise.reject(new Error('connection refused')), { timeoutMs: 20, intervalMs: 5, what: 'the broker' })).rejects.toThrow(
      'timed out after 20 ms waiting for the broker; last: connection refused',
    );
  });

  it('ends at once with the reason when its signal is aborted during the interval', async () => {
    const abort = new AbortController();
    const failure = new Error('the replica exited with code 1');
    const waiting = waitFor(() => null, { timeoutMs: 60_000, intervalMs: 60_000, signal: abort.signal });
    setImmediate(() => abort.abort(failure));
    await expect(waiting).rejects.toBe(failure);
  });

  it('does not call the probe when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort(new Error('gone'));
    const probe = jest.fn(() => 'value');
    await expect(waitFor(probe, { signal: abort.signal })).rejects.toThrow('gone');
    expect(probe).not.toHaveBeenCalled();
  });
});

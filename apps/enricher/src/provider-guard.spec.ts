import { ConsumptionControl } from '@leadpipe/kafka';
import { NETROWS_ERROR_KINDS, NetrowsError, NetrowsErrorKind } from '@leadpipe/netrows';
import { isBreakerRejection, PAUSE_REASONS, ProviderGuard } from './provider-guard';
import type { OpsAlerts } from './ops-alerts';

function failing(kind: NetrowsErrorKind): () => Promise<never> {
  return () => Promise.reject(new NetrowsError(kind, `simulated ${kind}`, { endpoint: 'reverseLookup', status: 503 }));
}
const ok = () => Promise.resolve('answer');

describe('ProviderGuard', () => {
  let guard: ProviderGuard;
  let control: ConsumptionControl;
  const raised: string[] = [];

  beforeEach(() => {
    raised.length = 0;
    control = new ConsumptionControl();
    const alerts = { raise: (kind: string) => Promise.resolve(void raised.push(kind)) } as unknown as OpsAlerts;
    guard = new ProviderGuard(
      // A window whose percentage alone would take 100 calls to decide: only the run of failures can open it here.
      { provider: 'netrows', windowMs: 60_000, volumeThreshold: 100, errorPercentage: 50, resetTimeoutMs: 60_000, consecutiveFailures: 5, accountProbeIntervalMs: 60_000 },
      control,
      alerts,
    );
  });

  afterEach(() => guard.shutdown());

  async function calls(count: number, request: () => Promise<unknown>): Promise<void> {
    for (let i = 0; i < count; i++) await guard.call(request).catch(() => undefined);
  }

  it('opens the circuit at once after a run of upstream failures, even after a healthy stretch, and pauses consumption', async () => {
    await calls(50, ok);
    await calls(4, failing(NETROWS_ERROR_KINDS.SERVER_ERROR));
    expect(guard.state).toBe(0);
    await calls(1, failing(NETROWS_ERROR_KINDS.TIMEOUT));
    expect(guard.state).toBe(2);
    expect([...control.pausedFor]).toEqual([PAUSE_REASONS.breakerOpen]);
    expect(raised).toEqual([PAUSE_REASONS.breakerOpen]);
    // Open: no call is made.
    let made = false;
    const error = await guard.call(() => Promise.resolve((made = true))).catch((e: unknown) => e);
    expect(isBreakerRejection(error)).toBe(true);
    expect(made).toBe(false);
  });

  it('counts only failures in a row: a success, or an answer about the lead, starts the count again', async () => {
    await calls(4, failing(NETROWS_ERROR_KINDS.SERVER_ERROR));
    await calls(1, ok);
    await calls(4, failing(NETROWS_ERROR_KINDS.NETWORK));
    await calls(1, failing(NETROWS_ERROR_KINDS.BAD_REQUEST));
    await calls(4, failing(NETROWS_ERROR_KINDS.SERVER_ERROR));
    expect(guard.state).toBe(0);
    expect(control.pausedFor.size).toBe(0);
  });
});

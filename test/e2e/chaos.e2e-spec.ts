import { resolve } from 'node:path';
import { ChaosReport, ChaosRun, formatChaosReport, TERMINAL_STATES } from '../../tools/bench/chaos-run';

/**
 * The reduced chaos run (issue 7) that CI affords: 500 leads through the whole pipeline on a
 * Kafka broker, PostgreSQL and Redis of the suite's own, while each service is killed (-9) and
 * restarted, the provider has a 5xx storm and the broker restarts. Nothing accepted is lost,
 * nothing is stored or announced twice, every lead ends terminal. `npm run bench:chaos` is the
 * full version (10,000 leads, every fault).
 */
describe('chaos: kill -9 of every service, a provider 5xx storm and a broker restart while 500 leads flow', () => {
  const run = new ChaosRun({
    leads: 500,
    faults: ['kill-ingest', 'kill-enricher', 'kill-validator', 'kill-notifier', 'provider-5xx', 'broker-restart'],
    limitPerMinute: 6_000,
    downSeconds: 2,
    stormSeconds: 8,
    outageSeconds: 10,
    drainTimeoutMs: 120_000,
    scoreThreshold: 50,
    logDir: resolve(__dirname, '../../.run/test-logs', `chaos-${Date.now().toString(36)}`),
    log: process.env.CHAOS_VERBOSE ? (line) => process.stdout.write(`${line}\n`) : undefined,
  });
  let report: ChaosReport;

  beforeAll(async () => {
    await run.setUp();
  }, 240_000);

  afterAll(async () => {
    await run.tearDown();
  }, 240_000);

  it('loses nothing, duplicates nothing, and every accepted lead ends terminal', async () => {
    report = await run.run();
    if (process.env.CHAOS_VERBOSE) process.stdout.write(`${formatChaosReport(report)}\n`);

    expect(report.accepted).toBe(500);
    expect(report.lost).toBe(0);
    expect(report.missingRows).toBe(0);
    expect(report.notTerminal).toBe(0);
    const terminal = TERMINAL_STATES.reduce((sum, s) => sum + (report.byStatus[s] ?? 0), 0);
    expect(terminal).toBe(500);
    expect(report.duplicateRows).toBe(0);
    // One row per (lead, channel, rule), one webhook-id per announcement; a same-id redelivery is allowed.
    expect(report.duplicateNotifications).toBe(0);
    expect(report.unannounced).toBe(0);
    expect(report.notificationRowsOther).toBe(0);
    expect(report.distinctWebhookIds).toBe(report.notificationRowsSent);
    // Every fault recovered: the leads accepted by its end all became terminal.
    for (const fault of report.faults) expect({ fault: fault.fault, drained: fault.drainMs !== null }).toEqual({ fault: fault.fault, drained: true });
    expect(report.finalDrainMs).not.toBeNull();
    // The storm cost retries, never credits: 5xx answers are refunded, and no call was refused for the limit.
    expect(report.provider.serverErrors).toBeGreaterThan(0);
    expect(report.provider.rateLimited).toBe(0);
    // No person is bought twice, but for the enricher's kill -9: an answer bought and not yet
    // cached when it dies is bought again after the restart. No other fault here may cost a credit.
    const windows = Object.keys(report.repeatPurchases.byWindow);
    expect(windows.filter((w) => !w.endsWith(' kill-enricher'))).toEqual([]);
  }, 600_000);
});

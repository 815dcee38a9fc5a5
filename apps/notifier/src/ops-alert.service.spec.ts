import { alertFormat } from './ops-alert.service';

describe('alertFormat', () => {
  it.each([
    ['auto', 'https://hooks.slack.com/services/T0/B0/xyz', 'slack'],
    ['auto', 'https://alerts.example/hooks', 'webhook'],
    ['slack', 'http://127.0.0.1:9999/fake-slack', 'slack'],
    ['webhook', 'https://hooks.slack.com/services/T0/B0/xyz', 'webhook'],
  ] as const)('%s with %s posts %s', (format, url, expected) => {
    expect(alertFormat({ NOTIFIER_ALERT_FORMAT: format, NOTIFIER_ALERT_WEBHOOK_URL: url })).toBe(expected);
  });
});

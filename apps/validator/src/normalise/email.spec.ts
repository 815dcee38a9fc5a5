import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { analyseEmail, domainLabelOf, isDisposableDomain, normaliseEmailAddress, registrableDomainOf } from './email';

describe('normaliseEmailAddress', () => {
  it.each([
    ['jane@acme.com', 'jane@acme.com'],
    ['  Jane.Doe@ACME.com ', 'jane.doe@acme.com'],
    ['mailto:jane@acme.com', 'jane@acme.com'],
    ['Jane Doe <jane@acme.com>', 'jane@acme.com'],
    ['jane@acme.com.', 'jane@acme.com'],
    ['josé@bücher.de', 'josé@bücher.de'],
    ['jane+leads@acme.co.uk', 'jane+leads@acme.co.uk'],
    ['jane@', null],
    ['jane-at-acme', null],
    ['jane@acme', null],
    ['jane doe@acme.com', null],
    ['', null],
    ['   ', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(normaliseEmailAddress(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = normaliseEmailAddress(s);
        expect(once === null ? null : normaliseEmailAddress(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });

  it('is idempotent on generated addresses', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (s) => {
        const once = normaliseEmailAddress(s);
        expect(once === null ? null : normaliseEmailAddress(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('registrableDomainOf and domainLabelOf', () => {
  it.each([
    ['acme.com', 'acme.com', 'acme'],
    ['mail.eu.acme.co.uk', 'acme.co.uk', 'acme'],
    ['ACME.DE', 'acme.de', 'acme'],
    ['acme.com.au', 'acme.com.au', 'acme'],
    ['acme.github.io', 'acme.github.io', 'acme'],
    ['shop.acme.myshopify.com', 'acme.myshopify.com', 'acme'],
    ['bücher.de', 'bücher.de', 'bücher'],
    ['localhost', 'localhost', null],
  ])('%j → %j (%j)', (host, domain, label) => {
    expect(registrableDomainOf(host)).toBe(domain);
    expect(domainLabelOf(host)).toBe(label);
  });
});

describe('analyseEmail', () => {
  it.each([
    ['jane@acme.com', { domain: 'acme.com', registrableDomain: 'acme.com', freeMail: false, disposable: false }],
    ['Jane@Mail.Acme.co.uk', { domain: 'mail.acme.co.uk', registrableDomain: 'acme.co.uk', freeMail: false, disposable: false }],
    ['jane@gmail.com', { domain: 'gmail.com', freeMail: true, disposable: false }],
    ['jane@GoogleMail.com', { freeMail: true }],
    ['jane@yahoo.co.uk', { freeMail: true }],
    ['jane@web.de', { freeMail: true }],
    ['jane@laposte.net', { freeMail: true }],
    ['jane@mailinator.com', { freeMail: false, disposable: true }],
    ['jane@guerrillamail.com', { disposable: true }],
    ['jane@10minutemail.com', { disposable: true }],
    ['jane@acme-mailinator.com', { disposable: false }],
  ])('%j', (input, expected) => {
    expect(analyseEmail(input)).toMatchObject(expected);
  });

  it.each([['nope'], [''], ['@acme.com'], [null]])('is null for %j', (input) => {
    expect(analyseEmail(input)).toBeNull();
  });

  it('never throws', () => {
    fc.assert(fc.property(messyString, (s) => void analyseEmail(s)), PROPERTY_RUNS);
  });

  it('treats subdomains of wildcard throw-away services as disposable', () => {
    expect(isDisposableDomain('anything.33m.co')).toBe(true);
  });
});

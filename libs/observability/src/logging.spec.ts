import { maskEmail, maskEmailsIn } from './logging';

describe('e-mail masking for logs', () => {
  it.each([
    ['ada.lovelace@example.com', 'a***@example.com'],
    ['a@b.co', 'a***@b.co'],
    ['@example.com', '***'],
    ['not-an-address', '***'],
  ])('masks %s as %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it('leaves nothing to mask alone', () => {
    expect(maskEmail(null)).toBeNull();
    expect(maskEmail('')).toBeNull();
    expect(maskEmailsIn('value is not JSON: Unexpected end of JSON input')).toBe('value is not JSON: Unexpected end of JSON input');
  });

  it.each([
    [`Unexpected token 'p', "p7@ex.io" is not valid JSON`, `Unexpected token 'p', "p***@ex.io" is not valid JSON`],
    ['lead <ada@example.com> and (bob.smith+x@mail.example.org);', 'lead <a***@example.com> and (b***@mail.example.org);'],
    ['email: ada@example.com, other: grace@navy.mil', 'email: a***@example.com, other: g***@navy.mil'],
  ])('masks every address inside free text: %s', (text, masked) => {
    expect(maskEmailsIn(text)).toBe(masked);
  });
});

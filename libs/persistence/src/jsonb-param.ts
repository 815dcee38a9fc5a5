/** PostgreSQL's binary format of `jsonb`: a version byte (1), then the JSON text. */
const JSONB_BINARY_VERSION = 1;
const OPEN = Buffer.from([JSONB_BINARY_VERSION, 0x5b]); // version, '['
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * `rows` as a JSON array for a `$n::jsonb` parameter, in PostgreSQL's binary format: node-postgres
 * sends a Buffer as it is (format 1), where a string is measured (`Buffer.byteLength`) and then
 * encoded. A statement's parameter of a megabyte or more (a validator round with its raw answers)
 * built as one string by `JSON.stringify` must be flattened into one large V8 string first,
 * which on this machine costs more than the serialising itself; rows serialised one by one stay
 * small, and their bytes are joined once.
 */
export function jsonbArrayParam(rows: readonly unknown[]): Buffer {
  const parts: Buffer[] = [OPEN];
  rows.forEach((row, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(JSON.stringify(row) ?? 'null'));
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

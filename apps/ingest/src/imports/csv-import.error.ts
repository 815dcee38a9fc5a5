/**
 * Why an import was refused or stopped. Refusals (`unsupported_media_type` .. `no_identity_column`)
 * happen before any row is accepted; the other codes can stop an import midway, after which the
 * committed chunks stay accepted and the import record says how many.
 */
export const IMPORT_FAILURE_CODES = [
  'unsupported_media_type',
  'no_file',
  'malformed_multipart',
  'empty_file',
  'no_identity_column',
  'byte_limit',
  'row_limit',
  'unreadable_csv',
  'client_disconnected',
  'stopped',
  'superseded',
  'storage_failed',
] as const;
export type ImportFailureCode = (typeof IMPORT_FAILURE_CODES)[number];

export class CsvImportError extends Error {
  override readonly name = 'CsvImportError';

  constructor(
    readonly code: ImportFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

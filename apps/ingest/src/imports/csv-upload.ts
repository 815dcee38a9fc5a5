import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { CsvImportError } from './csv-import.error';

export type UploadKind = 'csv' | 'multipart';

/** The CSV bytes of an upload, streamed: nothing here reads ahead of the consumer. */
export interface CsvUpload {
  readonly kind: UploadKind;
  /** Ends with a {@link CsvImportError} when the upload breaks off, grows past the limit or is malformed. */
  readonly stream: Readable;
  /** The multipart file name, when there was one. */
  readonly fileName: string | null;
}

const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/** `text/csv` (UTF-8) or `multipart/form-data`; anything else is refused before the body is read. */
export function uploadKindOf(contentType: string | undefined): UploadKind {
  const [type = '', ...params] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (type === 'multipart/form-data') return 'multipart';
  if (type === 'text/csv') {
    const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
    if (charset !== undefined && !UTF8_CHARSETS.has(charset)) {
      throw new CsvImportError('unsupported_media_type', `text/csv is read as UTF-8 only, not ${charset.slice(0, 40)}`);
    }
    return 'csv';
  }
  throw new CsvImportError(
    'unsupported_media_type',
    `send the file as text/csv or multipart/form-data (got ${type ? type.slice(0, 100) : 'no content type'})`,
  );
}

/** Passes bytes through until more than `maxBytes` went by, then fails with `byte_limit`. */
export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(byteLimitError(this.maxBytes));
    else callback(null, chunk);
  }
}

function byteLimitError(maxBytes: number): CsvImportError {
  return new CsvImportError('byte_limit', `the upload is larger than INGEST_IMPORT_MAX_BYTES (${maxBytes} bytes)`);
}

/**
 * A stream that ends with an error its reader learns about through its own listener (see
 * readCsvRecords). This one only keeps an error raised after the reader stopped listening (the
 * client hangs up after an early answer) from being an unhandled 'error' event.
 */
function quietAfterReader<T extends Readable>(stream: T): T {
  stream.on('error', () => undefined);
  return stream;
}

/**
 * Opens the CSV of an import request without buffering it: the request itself for `text/csv`,
 * the first file part for `multipart/form-data` (busboy, streamed). Checks what can be checked
 * before reading (media type, encoding, a declared length over the limit); the byte limit and a
 * disconnect are also enforced while streaming, as errors of the returned stream.
 */
export async function openCsvUpload(req: IncomingMessage, maxBytes: number): Promise<CsvUpload> {
  const kind = uploadKindOf(req.headers['content-type']);
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new CsvImportError('unsupported_media_type', `compressed uploads are not read (content-encoding: ${encoding.slice(0, 40)})`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw byteLimitError(maxBytes);

  const body = quietAfterReader(new ByteLimit(maxBytes));
  const disconnected = (cause?: unknown): void => {
    if (!body.destroyed) {
      body.destroy(new CsvImportError('client_disconnected', 'the client closed the connection before the upload was complete', { cause }));
    }
  };
  req.once('error', disconnected);
  req.once('close', () => {
    if (!req.complete) disconnected();
  });
  req.pipe(body);
  if (kind === 'csv') return { kind, stream: body, fileName: null };
  return openFirstFile(req, body);
}

function openFirstFile(req: IncomingMessage, body: Readable): Promise<CsvUpload> {
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      // Only the first file is read; later ones are drained by busboy and ignored.
      form = busboy({ headers: req.headers, limits: { files: 1, fields: 50, parts: 100, fieldSize: 64 * 1024 } });
    } catch (error) {
      reject(new CsvImportError('malformed_multipart', `the multipart body cannot be read: ${messageOf(error)}`));
      return;
    }
    let file: PassThrough | null = null;
    form.on('file', (_field, stream, info) => {
      // Busboy ends a file with plain errors; the CSV reader gets them as import errors.
      file = quietAfterReader(new PassThrough());
      const out = file;
      stream.on('error', (error) => out.destroy(asMultipartError(error)));
      stream.pipe(out);
      resolve({ kind: 'multipart', stream: out, fileName: info.filename ? info.filename.slice(0, 255) : null });
    });
    form.on('error', (error) => {
      if (!file) reject(asMultipartError(error));
    });
    form.on('close', () => {
      if (!file) reject(new CsvImportError('no_file', 'the multipart body has no file part: send the CSV as a file field'));
    });
    // A broken or oversized body ends busboy with that error, and busboy ends the open file with it.
    body.on('error', (error) => form.destroy(error));
    body.pipe(form);
  });
}

function asMultipartError(error: unknown): CsvImportError {
  return error instanceof CsvImportError ? error : new CsvImportError('malformed_multipart', `the multipart body is malformed: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads and drops what is left of a request's body, so that an answer given before the body was
 * read reaches a client that is still sending: a connection closed with unread bytes is reset,
 * and the client loses the answer (undici: "fetch failed", EPIPE). Like nginx's lingering close,
 * it gives up (resolving false, so the caller closes the connection) once `maxBytes` more bytes
 * went by, after `timeoutMs`, or when `signal` aborts. Resolves true once the body ended.
 */
export function discardRest(req: IncomingMessage, limits: { maxBytes: number; timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  const declared = Number(req.headers['content-length']);
  if (req.destroyed || limits.signal?.aborted || (Number.isFinite(declared) && declared > limits.maxBytes)) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', finish).off('close', finish);
      limits.signal?.removeEventListener('abort', finish);
      if (!req.complete) req.pause();
      resolve(req.complete);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish();
    };
    const timer = setTimeout(finish, limits.timeoutMs);
    limits.signal?.addEventListener('abort', finish, { once: true });
    // The upload's own readers (the byte limit, busboy) stopped with the refusal.
    req.unpipe();
    req.on('data', onData).once('end', finish).once('close', finish);
    req.resume();
  });
}

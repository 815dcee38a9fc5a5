import { request, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

export interface StreamedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `body` as it is read (chunked, never held whole), the way a large upload arrives.
 * Resolves with the answer, also when the server answers before it has read everything (an
 * early refusal): the rest of the body is then dropped.
 */
export function postStream(url: string, body: Readable, headers: Record<string, string>): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked', ...headers } });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        body.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    // After an early answer the server may close while we still write: that is not a failure.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

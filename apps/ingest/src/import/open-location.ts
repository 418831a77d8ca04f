import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface OpenedFile {
  /** Changes when the file's content changes: size+mtime locally, the ETag in S3. */
  fingerprint: string;
  open(): Promise<Readable>;
}

/** Thrown when a file to import does not exist or cannot be read. */
export class FileNotFoundError extends Error {
  readonly code = 'FILE_NOT_FOUND';
}

/** A local path or an s3://bucket/key URI. */
export async function locateFile(location: string, s3: S3Client | undefined): Promise<OpenedFile> {
  const s3Match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (s3Match) {
    if (!s3) throw new FileNotFoundError(`${location}: no S3 client configured`);
    const [, Bucket, Key] = s3Match as unknown as [string, string, string];
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
      return {
        fingerprint: `${head.ETag ?? ''}:${head.ContentLength ?? ''}`,
        open: async () => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body as Readable,
      };
    } catch (err) {
      throw new FileNotFoundError(`${location}: ${(err as Error).name}`);
    }
  }
  try {
    const info = await stat(location);
    if (!info.isFile()) throw new Error('not a file');
    return { fingerprint: `${info.size}:${info.mtimeMs}`, open: async () => createReadStream(location) };
  } catch (err) {
    throw new FileNotFoundError(`${location}: ${(err as Error).message}`);
  }
}

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ThumbnailUrlOptions {
  bucket: string;
  /** CDN or public bucket URL; when set, URLs are `${base}/${key}` and nothing is signed. */
  publicBaseUrl: string | undefined;
  s3: S3Client | undefined;
  ttlSeconds: number;
}

/**
 * Resolves where an app loads a photo's thumbnail: our stored copy (public
 * URL, or presigned S3 GET), else the source's own image URL, else null.
 * Presigning is local computation (no request to S3).
 */
export class ThumbnailUrls {
  readonly #o: ThumbnailUrlOptions;

  constructor(options: ThumbnailUrlOptions) {
    this.#o = options;
  }

  async url(photo: { thumbnailKey: string | null; imageUrl: string | null }): Promise<string | null> {
    const { thumbnailKey, imageUrl } = photo;
    if (thumbnailKey) {
      if (this.#o.publicBaseUrl)
        return `${this.#o.publicBaseUrl.replace(/\/+$/, '')}/${thumbnailKey.split('/').map(encodeURIComponent).join('/')}`;
      if (this.#o.s3) {
        return getSignedUrl(this.#o.s3, new GetObjectCommand({ Bucket: this.#o.bucket, Key: thumbnailKey }), {
          expiresIn: this.#o.ttlSeconds,
        });
      }
    }
    return imageUrl;
  }

  /** Seconds a response carrying these URLs may be cached: presigned ones expire. */
  get maxCacheSeconds(): number {
    return this.#o.publicBaseUrl || !this.#o.s3 ? Number.POSITIVE_INFINITY : Math.floor(this.#o.ttlSeconds / 2);
  }
}

/**
 * Errors a harvest ends with. Each has a stable code; messages never contain
 * the API key (the client redacts it before an error is built).
 */
export class FlickrInvalidKeyError extends Error {
  readonly code = 'FLICKR_INVALID_KEY';
  constructor(flickrMessage: string) {
    super(
      `Flickr rejected the API key (code 100: ${flickrMessage}). Set FLICKR_API_KEY to a valid key ` +
        '(create one at https://www.flickr.com/services/apps/create/); nothing was retried.',
    );
    this.name = 'FlickrInvalidKeyError';
  }
}

/** FLICKR_API_KEY is not set. */
export class FlickrKeyMissingError extends Error {
  readonly code = 'FLICKR_KEY_MISSING';
  constructor() {
    super(
      'FLICKR_API_KEY is not set: a Flickr harvest needs an API key (https://www.flickr.com/services/apps/create/).',
    );
    this.name = 'FlickrKeyMissingError';
  }
}

/** A call that kept failing after every retry, or failed in a way retrying cannot fix. */
export class FlickrCallError extends Error {
  readonly code = 'FLICKR_CALL_FAILED';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'FlickrCallError';
    this.retryable = retryable;
  }
}

/** The requested upload window ends before it starts (e.g. --since in the future). */
export class HarvestWindowError extends Error {
  readonly code = 'INVALID_WINDOW';
}

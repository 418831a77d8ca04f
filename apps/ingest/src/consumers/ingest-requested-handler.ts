import type { ingestRequested } from '@photospots/contracts';
import type { MessageHandler } from '@photospots/queue';
import {
  FlickrCallError,
  FlickrInvalidKeyError,
  FlickrKeyMissingError,
  HarvestWindowError,
} from '../flickr/flickr-errors.ts';
import type { HarvestReport } from '../flickr/harvest-progress.ts';
import { HarvestInProgressError } from '../flickr/harvest-lock.ts';
import type { FlickrHarvestInput } from '../flickr/harvest-window.ts';
import { FileNotFoundError } from '../import/open-location.ts';
import type { importLbsnFile } from '../import/import-lbsn-file.ts';
import { LbsnHeaderError } from '../lbsn/read-lbsn-csv.ts';

/**
 * Handles ingest.requested. A file that does not exist or is not an LBSN
 * export, or a Flickr harvest with a missing or rejected API key, will not
 * get better on retry: it is logged and acknowledged. Other errors (database,
 * SQS, Flickr still failing after its retries) throw, so the message is
 * retried and the import or harvest resumes from its checkpoint.
 */
export function createIngestRequestedHandler(deps: {
  /** `progress` is called after every committed batch (the consumer's stall watchdog). */
  importFile: (
    location: string,
    correlationId: string,
    signal: AbortSignal,
    progress: () => void,
  ) => ReturnType<typeof importLbsnFile>;
  harvestFlickr: (input: FlickrHarvestInput, correlationId: string, progress: () => void) => Promise<HarvestReport>;
  /** Publishes one incremental flickr-harvest request per region harvested before; returns how many. */
  requestIncrementalHarvests: () => Promise<number>;
}): MessageHandler<typeof ingestRequested> {
  return async (message, ctx) => {
    const request = message.payload;
    switch (request.kind) {
      case 'file-import': {
        try {
          const report = await deps.importFile(request.location, ctx.correlationId, ctx.signal, ctx.progress);
          ctx.log.info(
            // The first rejected rows by line and code (the report keeps 100; a log line stays short).
            {
              location: request.location,
              rowsRead: report.rowsRead,
              rejected: report.rowsRejected,
              errorsByCode: report.errorsByCode,
              firstErrors: report.errors.slice(0, 20),
            },
            'file import request done',
          );
        } catch (err) {
          if (err instanceof FileNotFoundError || err instanceof LbsnHeaderError) {
            ctx.log.warn({ location: request.location, code: err.code, reason: err.message }, 'file import rejected');
            return;
          }
          throw err;
        }
        return;
      }
      case 'flickr-harvest': {
        try {
          const report = await deps.harvestFlickr(
            {
              bbox: request.bbox,
              since: request.since ? new Date(request.since) : undefined,
              // Without an explicit end, a redelivered message resumes the harvest its first delivery started.
              until: request.until ? new Date(request.until) : undefined,
              incremental: request.incremental,
            },
            ctx.correlationId,
            ctx.progress,
          );
          ctx.log.info(
            {
              harvest: report.harvest,
              queries: report.queries,
              photosSeen: report.photosSeen,
              inserted: report.inserted,
              updated: report.updated,
              alreadyComplete: report.alreadyComplete,
            },
            'Flickr harvest request done',
          );
        } catch (err) {
          if (err instanceof FlickrInvalidKeyError || err instanceof FlickrKeyMissingError) {
            ctx.log.error(
              { code: err.code, reason: err.message },
              'Flickr harvest refused: fix FLICKR_API_KEY and request it again',
            );
            return;
          }
          if (err instanceof HarvestWindowError) {
            ctx.log.warn({ code: err.code, reason: err.message }, 'Flickr harvest request rejected');
            return;
          }
          if (err instanceof FlickrCallError && !err.retryable) {
            ctx.log.error(
              { code: err.code, reason: err.message },
              'Flickr harvest failed and cannot succeed as requested',
            );
            return;
          }
          if (err instanceof HarvestInProgressError) {
            ctx.log.info({ code: err.code }, 'the same harvest is running elsewhere; request acknowledged');
            return;
          }
          throw err;
        }
        return;
      }
      case 'flickr-incremental': {
        // Publishing is idempotent enough: a redelivery asks again, and a harvest already running
        // or already up to date acknowledges the duplicate (harvest lock, checkpoints).
        const regions = await deps.requestIncrementalHarvests();
        ctx.log.info({ regions }, 'incremental Flickr harvests requested');
        return;
      }
    }
  };
}

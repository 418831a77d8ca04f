import type { ingestRequested } from '@photospots/contracts';
import type { MessageHandler } from '@photospots/queue';
import { FileNotFoundError } from '../import/open-location.ts';
import type { importLbsnFile } from '../import/import-lbsn-file.ts';
import { LbsnHeaderError } from '../lbsn/read-lbsn-csv.ts';

/**
 * Handles ingest.requested. A file that does not exist or is not an LBSN
 * export will not get better on retry: it is logged and acknowledged. Other
 * errors (database, SQS) throw, so the message is retried and the import
 * resumes from its checkpoint.
 */
export function createIngestRequestedHandler(deps: {
  importFile: (location: string, correlationId: string, signal: AbortSignal) => ReturnType<typeof importLbsnFile>;
}): MessageHandler<typeof ingestRequested> {
  return async (message, ctx) => {
    const request = message.payload;
    switch (request.kind) {
      case 'file-import': {
        try {
          const report = await deps.importFile(request.location, ctx.correlationId, ctx.signal);
          ctx.log.info(
            { location: request.location, rowsRead: report.rowsRead, rejected: report.rowsRejected, errorsByCode: report.errorsByCode },
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
    }
  };
}

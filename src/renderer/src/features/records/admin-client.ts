/** The admin record helpers (If-Match writes, batches, bulk writes, export) on the console's server and token. */
import { recordsAdmin, type RecordsAdminApi } from '../../../../shared/client/records-admin';
import { connection, sdk } from '../../sdk';

/** The helpers for one collection, sharing the SDK's token (renewed by features/auth). */
export function adminFor(collection: string): RecordsAdminApi {
  return recordsAdmin(
    { url: () => connection.serverUrl ?? 'http://127.0.0.1:8000', token: () => sdk.token },
    collection,
  );
}

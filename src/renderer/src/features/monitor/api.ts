/** The monitor's REST helpers on the console's server and token (renewed by features/auth). */
import { monitorApi, type MonitorApi } from '../../../../shared/client';
import { connection, sdk } from '../../sdk';

let api: MonitorApi | undefined;

/** The helpers, made on first use. */
export function monitor(): MonitorApi {
  return (api ??= monitorApi({
    url: () => connection.serverUrl ?? 'http://127.0.0.1:8000',
    token: () => sdk.token,
  }));
}

/** The display REST helpers on the console's server and token (renewed by features/auth). */
import { displaysApi, type DisplaysApi } from '../../../../shared/client/displays';
import { connection, sdk } from '../../sdk';

let api: DisplaysApi | undefined;

/** The helpers, made on first use. */
export function displaysClient(): DisplaysApi {
  return (api ??= displaysApi({
    url: () => connection.serverUrl ?? 'http://127.0.0.1:8000',
    token: () => sdk.token,
  }));
}

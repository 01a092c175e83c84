import type { Migration } from '../migrate';
import { init } from './0010-init';
import { settings } from './0020-settings';
import { recordIdsPerAccount } from './0030-record-ids-per-account';
import { displays } from './0040-displays';

/** Every schema step, in order. Add new files as 0030-…, 0040-…; never edit a released one. */
export const migrations: Migration[] = [
  { version: 10, name: '0010-init', up: init },
  { version: 20, name: '0020-settings', up: settings },
  { version: 30, name: '0030-record-ids-per-account', up: recordIdsPerAccount },
  { version: 40, name: '0040-displays', up: displays },
];

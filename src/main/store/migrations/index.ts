import type { Migration } from '../migrate';
import { init } from './0010-init';

/** Every schema step, in order. Add new files as 0020-…, 0030-…; never edit a released one. */
export const migrations: Migration[] = [{ version: 10, name: '0010-init', up: init }];

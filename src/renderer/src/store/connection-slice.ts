import type { StateCreator } from 'zustand';
import { resolveConnection, type Connection } from '../lib/connection';
import type { AppState } from './index';

/** Which server the console talks to, fixed for the page's lifetime. */
export interface ConnectionSlice {
  connection: Connection;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = () => ({
  connection: resolveConnection(),
});

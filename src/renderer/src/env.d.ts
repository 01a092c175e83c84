import type { SwitchboardBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the console runs in a plain browser. */
    readonly switchboard?: SwitchboardBridge;
  }
}

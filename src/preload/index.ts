import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_CHANNEL, type SwitchboardBridge } from '../shared/bridge';

// note: one synchronous request while the preload runs, so the values exist before any page script does.
// The token never goes on the command line (additionalArguments would show it in `ps`).
const values = ipcRenderer.sendSync(BRIDGE_CHANNEL) as SwitchboardBridge | null;

if (values) {
  const bridge: SwitchboardBridge = { serverUrl: values.serverUrl, adminToken: values.adminToken };
  contextBridge.exposeInMainWorld('switchboard', bridge);
}

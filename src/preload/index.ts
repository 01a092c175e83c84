import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_CHANNEL, BRIDGE_REFRESH_CHANNEL, type SwitchboardBridge } from '../shared/bridge';

// note: one synchronous request while the preload runs, so the values exist before any page script does.
// The token never goes on the command line (additionalArguments would show it in `ps`).
const values = ipcRenderer.sendSync(BRIDGE_CHANNEL) as Omit<SwitchboardBridge, 'refreshAdminToken'> | null;

if (values) {
  const bridge: SwitchboardBridge = {
    serverUrl: values.serverUrl,
    adminToken: values.adminToken,
    // A named function, not ipcRenderer itself: the page can ask for a token and nothing else.
    refreshAdminToken: () => ipcRenderer.invoke(BRIDGE_REFRESH_CHANNEL) as Promise<string>,
  };
  contextBridge.exposeInMainWorld('switchboard', bridge);
}

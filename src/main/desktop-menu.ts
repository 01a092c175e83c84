/** The desktop app's application menu and tray icon: a few commands, no data. */
import { clipboard, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';

/** What the menu and tray can ask the app to do. */
export interface DesktopActions {
  show(): void;
  openInBrowser(): void;
  serverUrl(): string;
  quit(): void;
}

let tray: Tray | undefined;

function serverItems(actions: DesktopActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Console in Browser', click: () => actions.openInBrowser() },
    { label: 'Copy Server URL', click: () => clipboard.writeText(actions.serverUrl()) },
  ];
}

/** Installs the application menu (File, Edit, View, Window). */
export function installMenu(actions: DesktopActions): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        ...serverItems(actions),
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { label: 'Quit', click: () => actions.quit() },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** A small round icon drawn in code, so the app ships no image assets yet. */
function trayIcon(): Electron.NativeImage {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = Math.hypot(x - centre, y - centre) <= size / 2 - 1;
      // note: BGRA with equal blue and red, so the colour is right whatever the byte order.
      pixels.set(inside ? [60, 150, 60, 255] : [0, 0, 0, 0], (y * size + x) * 4);
    }
  }
  return nativeImage.createFromBitmap(pixels, { width: size, height: size });
}

/** Installs the tray icon with Show, Open in Browser, Copy URL and Quit. */
export function installTray(actions: DesktopActions): void {
  tray = new Tray(trayIcon());
  tray.setToolTip('Switchboard');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Switchboard', click: () => actions.show() },
      ...serverItems(actions),
      { type: 'separator' },
      { label: 'Quit', click: () => actions.quit() },
    ]),
  );
  tray.on('click', () => actions.show());
}

/** Draws the tray from the pure tray model: icon per state, tooltip, and the menu. */
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { join } from 'node:path';
import {
  trayIcon,
  trayMenu,
  trayTooltip,
  type MenuItemModel,
  type TrayAction,
  type TrayState,
} from './model.js';

function template(items: MenuItemModel[], act: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const options: MenuItemConstructorOptions = {
      id: item.id,
      type: item.type,
      enabled: item.enabled ?? true,
    };
    if (item.label !== undefined) options.label = item.label;
    if (item.checked !== undefined) options.checked = item.checked;
    if (item.submenu) options.submenu = template(item.submenu, act);
    const action = item.action;
    if (action) options.click = () => act(action);
    return options;
  });
}

export class ElectronTray {
  private readonly tray: Tray;
  private readonly icons = new Map<string, NativeImage>();

  /** `iconDir` holds `<state>.png`, `<state>@2x.png` and macOS `<state>Template.png`. */
  constructor(
    private readonly iconDir: string,
    private readonly act: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(this.icon('offline'));
    this.tray.on('click', () => act({ type: 'open' }));
  }

  update(state: TrayState): void {
    const icon = trayIcon(state);
    const menu = trayMenu(state);
    this.tray.setImage(this.icon(icon));
    this.tray.setToolTip(trayTooltip(state));
    this.tray.setContextMenu(Menu.buildFromTemplate(template(menu, this.act)));
    // Read-only, for support and the Electron end-to-end suite (the OS tray cannot be inspected).
    (globalThis as { parleyTray?: unknown }).parleyTray = { icon, menu };
  }

  destroy(): void {
    this.tray.destroy();
  }

  private icon(state: string): NativeImage {
    const file = process.platform === 'darwin' ? `${state}Template.png` : `${state}.png`;
    let image = this.icons.get(file);
    if (!image) {
      image = nativeImage.createFromPath(join(this.iconDir, file));
      if (process.platform === 'darwin') image.setTemplateImage(true);
      this.icons.set(file, image);
    }
    return image;
  }
}

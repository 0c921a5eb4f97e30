/** The web client's entry point: the web platform, the app's composition root and the React UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppContext } from './app/context.js';
import { ParleyApp } from './app/composition-root.js';
import { exposeDiagnostics } from './app/diagnostics.js';
import { DesktopPlatform, desktopBridge } from './platform/desktop.js';
import { logCallsToMain } from './platform/desktop-call-log.js';
import { forwardErrors } from './platform/desktop-errors.js';
import { WebPlatform } from './platform/web.js';
import { App } from './ui/App.js';
import './ui/styles.css';

const bridge = desktopBridge();
if (bridge) forwardErrors(bridge);
const app = new ParleyApp(bridge ? new DesktopPlatform(bridge) : new WebPlatform());
exposeDiagnostics(app);
if (bridge) logCallsToMain(app.engine, bridge);
// In the desktop app the page's origin is app://parley; its server address comes from the launcher or the person.
app.session.start(bridge ? (bridge.defaultServerUrl ?? 'http://127.0.0.1:4700') : window.location.origin);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);

/** The web client's entry point: the web platform, the app controller and the React UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppContext } from './app/context.js';
import { ParleyApp } from './app/controller.js';
import { exposeDiagnostics } from './app/diagnostics.js';
import { WebPlatform } from './platform/web.js';
import { App } from './ui/App.js';
import './ui/styles.css';

const app = new ParleyApp(new WebPlatform());
exposeDiagnostics(app);
app.start(window.location.origin);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);

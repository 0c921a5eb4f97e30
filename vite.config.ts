// Vite builds the renderer (the web client) into dist/renderer; the signaling server serves it at `/`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  publicDir: '../assets/public',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // The served build has no source maps: they would publish the app's source to anyone. For debugging,
    // `npm run build:web -- --sourcemap` (vite's flag) writes them; do not deploy that build.
    sourcemap: false,
    rollupOptions: {
      // The web app, and the desktop app's incoming-call window.
      input: { index: 'renderer/index.html', incoming: 'renderer/incoming.html' },
    },
  },
  server: {
    // `npm run dev:web`: the API and Socket.IO go to a signaling server on the default port.
    proxy: {
      '/api': 'http://127.0.0.1:4700',
      '/socket.io': { target: 'ws://127.0.0.1:4700', ws: true },
    },
  },
});

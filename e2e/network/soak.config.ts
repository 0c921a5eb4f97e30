// Playwright config of the network soak (`npm run test:soak`): the network suite's config, running only
// soak.spec.ts, which holds a call for PARLEY_SOAK_MINUTES (default 10) and sets its own test timeout.
import { defineConfig } from '@playwright/test';
import network from './playwright.config.js';

export default defineConfig({ ...network, testIgnore: [], testMatch: 'soak.spec.ts' });

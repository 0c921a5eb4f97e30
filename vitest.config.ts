// Vitest: unit tests live beside the code as x.test.ts / x.test.tsx; e2e/ is Playwright's, not ours.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: [...configDefaults.exclude /* node_modules, .git */, '**/dist/**', 'e2e/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Separate processes per test file (vitest's default); files run in parallel.
    pool: 'forks',
    fileParallelism: true,
  },
});

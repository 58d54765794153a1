import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/engine-setup.ts'],
    setupFiles: ['test/engine-env.ts'],
    // End-to-end tests start real labs (namespaces, dockerd) and run whole
    // chapters with pings and captures. One file at a time keeps them from
    // competing for the machine's cores.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});

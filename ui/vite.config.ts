/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Tauri loads the dev server at a fixed address (tauri.conf.json devUrl) and embeds dist/.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The web views Tauri 2 ships with on each platform.
    target: ["es2022", "safari16"],
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    // The contrast test reads the colour schemes from app.css as text.
    css: { include: [/app\.css/] },
  },
});

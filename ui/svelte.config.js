import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** Svelte reads TypeScript natively; the preprocessor also allows TS-only syntax in components. */
export default {
  preprocess: vitePreprocess(),
};

import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build goes straight into the Python package, which serves it under /app/ (server: webapp/routes.py).
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: {
    outDir: "../server/src/labelhouse_server/webapp/static",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});

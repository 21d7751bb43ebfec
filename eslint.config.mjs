import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      ".next-*/**",
      ".cache/**",
      "data/**",
      "src/generated/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "artifacts/**",
      ".scratch/**",
      "next-env.d.ts",
      // Built from src/collector/pulse.ts (docs/collector.md).
      "public/pulse.js",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Workers and shared core code must stay framework-free (DESIGN.md): no Next, React or web-only imports.
    files: ["src/core/**/*.ts", "workers/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["next", "next/*", "react", "react-dom", "@trpc/*", "next-auth", "next-auth/*"],
              message: "src/core and workers stay framework-free.",
            },
            {
              group: ["@/server/*", "@/app/*", "@/components/*", "@/trpc/*", "**/server/**", "**/app/**", "**/components/**"],
              message: "src/core and workers import only src/core.",
            },
          ],
        },
      ],
    },
  },
];

export default config;

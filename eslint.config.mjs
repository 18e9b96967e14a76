import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "drizzle/**", ".data/**", "test-results/**", "playwright-report/**", ".test-results/**", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Rule 1 of DESIGN.md: the journey engine is pure and isomorphic.
    files: ["server/journey/**/*.ts"],
    ignores: ["server/journey/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "net", "http", "https", "child_process", "crypto"], message: "server/journey is pure: no Node I/O." },
            { group: ["@/db/*", "@/db", "drizzle-orm", "drizzle-orm/*", "postgres"], message: "server/journey is pure: no database." },
            { group: ["react", "react-dom", "next", "next/*", "@/server/env", "@/components/*"], message: "server/journey is pure: no React, Next or env." },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Pass the clock in through ctx; no Date.now() in server/journey." },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "Use the seeded hash; no Math.random() in server/journey." },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Pass the clock in through ctx; no new Date() in server/journey." },
      ],
    },
  },
);

import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "reports/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Drivers and Testcontainers are required on first use, inside the function that needs them, so
      // that importing the package stays light (docs/ARCHITECTURE.md, "Loaded on first use").
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { globals: { module: "writable", require: "readonly", __dirname: "readonly" } },
  },
  {
    // Lambda function sources: CommonJS, with the AWS SDK from the function runtime.
    files: ["fixtures/functions/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { exports: "writable", require: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  prettier,
);

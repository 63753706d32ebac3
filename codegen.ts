import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * `npm run codegen`: prints the schema built in src/graphql to schema.graphql (committed;
 * test/graphql-schema.test.ts fails when it drifts) and types the tests' GraphQL documents into
 * test/generated. The schema module is TypeScript: the script loads it with `--import tsx`.
 * The workspace console (console/, bundled for the browser) gets its own in console/generated.
 */

/** Both outputs: the same typed-document settings. */
const clientConfig = {
  // NodeNext: relative imports with .js extensions, and type-only imports.
  emitLegacyCommonJSImports: false,
  useTypeImports: true,
  documentMode: "string",
  enumType: "string-literal",
  scalars: { DateTime: "string", ID: "string" },
  strictScalars: true,
};

const config: CodegenConfig = {
  schema: "./src/graphql/schema/index.ts",
  ignoreNoDocuments: false,
  generates: {
    "schema.graphql": {
      plugins: ["schema-ast"],
    },
    "test/generated/": {
      documents: ["test/graphql-*.test.ts"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
    "console/generated/": {
      documents: ["console/src/**/*.ts"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
  },
};

export default config;

import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * `npm run codegen`: prints the schema built in src/graphql to schema.graphql (committed;
 * test/graphql-schema.test.ts fails when it drifts) and types the tests' GraphQL documents into
 * test/generated. The schema module is TypeScript: the script loads it with `--import tsx`.
 */
const config: CodegenConfig = {
  schema: "./src/graphql/schema/index.ts",
  documents: ["test/graphql-*.test.ts"],
  ignoreNoDocuments: false,
  generates: {
    "schema.graphql": {
      plugins: ["schema-ast"],
    },
    "test/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // NodeNext: relative imports with .js extensions, and type-only imports.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        documentMode: "string",
        enumType: "string-literal",
        scalars: { DateTime: "string", ID: "string" },
        strictScalars: true,
      },
    },
  },
};

export default config;

// GraphQL Code Generator: types every operation and fragment in src/ from the
// API schema (web/schema.graphql, written by `go run ./tools/apischema`), and
// fails when one does not validate against it, which fails `npm run build`.
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/generated/**'],
  ignoreNoDocuments: false,
  errorsOnly: true,
  generates: {
    'src/generated/': {
      preset: 'client',
      // The normalised cache needs __typename everywhere; adding it here makes
      // the documents (and the manifest) exactly what the client sends.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: {
        gqlTagName: 'graphql',
        fragmentMasking: { unmaskFunctionName: 'readFragment' },
        // persisted-documents.json: every operation by its SHA-256, the manifest
        // of trusted documents a router can enforce.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
        skipTypename: false,
      },
    },
    'src/generated/embedded-types.ts': { plugins: ['./codegen/embedded-types.cjs'] },
  },
};

export default config;

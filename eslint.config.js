import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '.scratch/**',
      'dist/**',
      'node_modules/**',
      'examples/**',
      'test/fixtures/**',
      'coverage/**',
      'src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', {allow: ['error', 'warn']}],
    },
  },
  {files: ['test/**', 'bench/**', 'scripts/**', 'bin/**'], rules: {'no-console': 'off'}},
  {
    // src/core holds pure domain types and functions: I/O belongs to src/cli, src/transport and the services.
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // node:net is allowed: its isIP/isIPv4 are pure (src/core/address.ts).
              regex: '^(node:)?(fs|fs/promises|child_process|os|dgram|http|https|tls|readline)$',
              message: 'src/core does no I/O (docs/cli.md, Layers)',
            },
            {
              regex: '^(ssh2|execa|pino|pino-pretty|pg|listr2|@oclif/core)(/.*)?$',
              message: 'src/core does no I/O (docs/cli.md, Layers)',
            },
          ],
        },
      ],
    },
  },
)

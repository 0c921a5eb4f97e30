// ESLint flat config. Besides the usual recommended rules, this is where the process boundaries from
// DESIGN.md are enforced (`no-restricted-imports`): renderer, wire contract, server and Electron main.
//
// The boundary patterns are plain string/regex matches on the import specifier; ESLint does not resolve
// paths here. Cross-boundary imports are therefore recognised by their leading `../` chain
// (`../signaling/db/x.js`, `../../main/ipc/x.js`). Rule options are not merged between config objects,
// so every file gets exactly one boundary block below, and the patterns inside a block don't overlap
// (one violation, one error).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.tsx'];

/** Top-level names of Node's builtin modules (`fs`, `path`, `child_process`, ...), without `_internal` ones. */
const NODE_BUILTINS = [
  ...new Set(builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.split('/')[0])),
].sort();
/** Matches `node:anything` and builtins by bare name, with or without a subpath (`fs`, `fs/promises`). */
const NODE_BUILTIN_SOURCE = `node:|(?:${NODE_BUILTINS.join('|')})(?:/|$)`;

const noElectron = (who) => ({
  regex: '^electron(?:/|$)',
  message: `${who} must not import electron; only main/ talks to Electron.`,
});

const noNode = (who) => ({
  regex: `^(?:${NODE_BUILTIN_SOURCE})`,
  message: `${who} must not import Node builtins (node:* or bare names like fs, path, crypto).`,
});

/** `(../)+<dir>` — a relative import that climbs out of the current top-level folder into `<dir>/`. */
const noTopLevelDir = (dir, who, why) => ({
  regex: `^(?:\\.\\./)+${dir}(?:/|$)`,
  message: `${who} must not import from ${dir}/. ${why}`,
});

/** The renderer's boundary rules; `climb` is how many `../` (a regex quantifier) leave renderer/. */
const rendererBoundary = (files, climb) => ({
  name: `parley/boundaries/renderer${climb === '+' ? '' : '-subfolders'}`,
  files,
  languageOptions: { globals: globals.browser },
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          noElectron('renderer/'),
          noNode('renderer/ (runs in a plain browser too)'),
          {
            // Any path into signaling/ except signaling/protocol/ (and no `..` back out of protocol/).
            regex: `^(?:\\.\\./)${climb}signaling(?:$|/(?!protocol(?:/|$))|/protocol/(?:.*/)?\\.\\.(?:/|$))`,
            message: 'renderer/ may import only signaling/protocol/ (the wire contract) from the server.',
          },
          {
            // main/ is Electron's; only its IPC contract (zod schemas, no Electron) is shared with the renderer.
            regex: '^(?:\\.\\./)+main(?:$|/(?!ipc/contract(?:\\.js)?$))',
            message:
              'renderer/ may import only main/ipc/contract from main/; talk to main through the preload bridge.',
          },
        ],
      },
    ],
  },
});

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/out/',
    '**/test-results/',
    '**/playwright-report/',
    '**/coverage/',
  ]),

  {
    name: 'parley/js',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  {
    name: 'parley/typescript',
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // ---- Process boundaries -------------------------------------------------------------------------

  // renderer/ has its own signaling/ folder (renderer/signaling/error-words.ts), so `../signaling/` from a
  // file one folder down is renderer-internal. The climb that leaves renderer/ depends on the file's depth,
  // hence one block for renderer/*.ts (one `../` leaves) and one for files in its subfolders (two or more).
  rendererBoundary(['renderer/*.ts', 'renderer/*.tsx'], '+'),
  rendererBoundary(['renderer/*/**/*.ts', 'renderer/*/**/*.tsx'], '{2,}'),

  {
    name: 'parley/boundaries/signaling',
    files: ['signaling/**/*.ts'],
    ignores: ['signaling/protocol/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron('signaling/'),
            noTopLevelDir(
              'renderer',
              'signaling/',
              'The server shares only signaling/protocol/ with clients.',
            ),
            noTopLevelDir('main', 'signaling/', 'The server shares only signaling/protocol/ with clients.'),
          ],
        },
      ],
    },
  },

  {
    name: 'parley/boundaries/protocol',
    files: ['signaling/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode('signaling/protocol/ (it is bundled into the renderer)'),
            {
              // Any `..` segment: protocol files import each other as `./x.js`.
              regex: '^(?:\\.\\.(?:/|$)|.*/\\.\\.(?:/|$))',
              message: 'signaling/protocol/ must not import outside itself; use ./x.js siblings.',
            },
            {
              // Any other package: only zod is allowed (and ./ siblings, and the two cases above).
              regex: `^(?!\\./|\\.\\.(?:/|$)|zod(?:/|$)|${NODE_BUILTIN_SOURCE})`,
              message: 'signaling/protocol/ may import only zod and ./ siblings.',
            },
          ],
        },
      ],
    },
  },

  {
    name: 'parley/boundaries/main-ipc',
    files: ['main/ipc/contract.ts', 'main/ipc/channels.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron('main/ipc/contract.ts (the renderer imports it)'),
            noNode('main/ipc/contract.ts'),
          ],
        },
      ],
    },
  },

  {
    name: 'parley/boundaries/main',
    files: ['main/**/*.ts'],
    ignores: ['main/ipc/contract.ts', 'main/ipc/channels.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [noTopLevelDir('renderer', 'main/', 'Talk to the renderer over the typed IPC contract.')],
        },
      ],
    },
  },
]);

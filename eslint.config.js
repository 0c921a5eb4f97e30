// ESLint flat config. Besides the usual recommended rules, this is where the process boundaries from
// docs/architecture.md are enforced (`no-restricted-imports`): renderer, wire contract, shared types,
// server and Electron main.
//
// The boundary patterns are plain string/regex matches on the import specifier; ESLint does not resolve
// paths here. Cross-boundary imports are therefore recognised by their leading `../` chain
// (`../signaling/db/x.js`, `../../main/ipc/x.js`). Rule options are not merged between config objects,
// so every file gets exactly one boundary block below, and the patterns inside a block don't overlap
// (one violation, one error). The server's own layers (docs/architecture.md) are enforced the same way,
// in the signaling blocks further down.
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

/** What the renderer may take from the server: only its wire contract. */
const rendererServerRule = {
  // Any path into signaling/ except signaling/protocol/ (and no `..` back out of protocol/).
  regex: '^(?:\\.\\./)+signaling(?:$|/(?!protocol(?:/|$))|/protocol/(?:.*/)?\\.\\.(?:/|$))',
  message: 'renderer/ may import only signaling/protocol/ (the wire contract) from the server.',
};

/** The web app's code: no main/ at all (what it shares with main is in shared/). */
const noMain = {
  regex: '^(?:\\.\\./)+main(?:/|$)',
  message:
    'Only the desktop platform (renderer/platform/desktop*.ts) and the incoming-call window (renderer/incoming/) talk to main; what the app shares with main is in shared/.',
};

/** The desktop side of the renderer: main/ipc/contract (zod schemas and the bridge type, no Electron) only. */
const onlyMainContract = {
  regex: '^(?:\\.\\./)+main(?:$|/(?!ipc/contract(?:\\.js)?$))',
  message:
    'The renderer may import only main/ipc/contract from main/; talk to main through the preload bridge.',
};

/** Where the renderer's desktop side lives: the only renderer files that may import main/ipc/contract. */
const RENDERER_DESKTOP_SIDE = ['renderer/platform/desktop*.ts', 'renderer/incoming/**/*.{ts,tsx}'];

/** The renderer's boundary rules; `mainRule` says what it may take from main/. */
const rendererBoundary = (name, files, mainRule, ignores = []) => ({
  name: `parley/boundaries/${name}`,
  files,
  ignores,
  languageOptions: { globals: globals.browser },
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          noElectron('renderer/'),
          noNode('renderer/ (runs in a plain browser too)'),
          rendererServerRule,
          mainRule,
        ],
      },
    ],
  },
});

/**
 * The call app's own layers (docs/architecture.md, "The call app and the desktop shell"). The parts
 * (call/, net/, platform/, audio/, headset/, util/) know nothing of the app; the domains (state/) get the parts they
 * drive handed in by the composition root (app/) and import only their types; the components (ui/) read
 * the domains' stores and call their actions. These use typescript-eslint's rule, whose `allowTypeImports`
 * lets a layer name another's types, so they add to the process boundaries above instead of replacing them.
 */
const RENDERER_TESTS = ['renderer/**/*.test.ts', 'renderer/test-support/**'];

/** One owner per store: only a domain makes one (util/store.ts `createStore`); the rest read it. */
const ONE_STORE_OWNER = [
  {
    regex: '(?:^|/)util/store\\.js$',
    importNames: ['createStore'],
    message: 'Only a domain (renderer/state/) makes a store; everyone else reads it as a ReadableStore.',
  },
  {
    regex: '^zustand(?:/vanilla)?$',
    message:
      'Stores are made by the domains (renderer/state/, through util/store.ts) and read through their hooks (app/context.ts storeHook).',
  },
];

const rendererLayer = (name, files, patterns, ignores = []) => ({
  name: `parley/layers/renderer-${name}`,
  files,
  ignores: [...RENDERER_TESTS, ...ignores],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

/**
 * The server's layers, top to bottom; a module may import its own layer and the ones below it. `modules`
 * are paths under signaling/ (a folder ends in `/`), `files` the globs of the layer's own files. Two pure
 * rules (PURE_RULES) sit in services' folders but below them: they import only protocol/ and domain.ts.
 */
const SERVER_LAYERS = {
  entry: {
    what: 'the entry points and the composition root',
    modules: ['server.js', 'cli.js', 'admin.js', 'seed.js', 'contact-ring.js', 'test-support/'],
  },
  transport: {
    what: 'the transport (realtime/, http.ts, metrics-http.ts, web.ts, host-check.ts, config.ts)',
    files: [
      'signaling/realtime/**/*.ts',
      'signaling/http.ts',
      'signaling/metrics-http.ts',
      'signaling/web.ts',
      'signaling/host-check.ts',
      'signaling/config.ts',
    ],
    modules: ['realtime/', 'http.js', 'metrics-http.js', 'web.js', 'host-check.js', 'config.js'],
  },
  services: {
    what: 'the services',
    files: [
      'signaling/accounts/**/*.ts',
      'signaling/calls/**/*.ts',
      'signaling/contacts/**/*.ts',
      'signaling/presence/**/*.ts',
      'signaling/history/**/*.ts',
      'signaling/ice.ts',
    ],
    modules: ['accounts/', 'calls/', 'contacts/', 'presence/', 'history/', 'ice.js'],
  },
  storage: {
    what: 'the tables (db/)',
    files: ['signaling/db/**/*.ts'],
    modules: ['db/'],
  },
  base: {
    what: 'the base',
    files: [
      'signaling/domain.ts',
      'signaling/errors.ts',
      'signaling/log.ts',
      'signaling/keyed-queue.ts',
      'signaling/metrics.ts',
      'signaling/storage-unreachable.ts',
    ],
    modules: [],
  },
};
const LAYER_ORDER = Object.keys(SERVER_LAYERS);
const PURE_RULES = ['signaling/calls/machine.ts', 'signaling/presence/derive.ts'];

/** A regex source for a relative import (from any depth) of one of the signaling/ `modules`. */
const serverModuleSource = (modules) =>
  `^\\.{1,2}/(?:\\.\\./)*(?:${modules
    .map((m) => m.replaceAll('.', '\\.') + (m.endsWith('/') ? '' : '$'))
    .join('|')})`;

/** Layer patterns match the first folder of a path; a path that goes down and back up again would slip by. */
const NO_WINDING_PATHS = {
  regex: '^\\.{1,2}/(?:\\.\\./)*[^.].*/\\.\\.(?:/|$)',
  message: 'Write relative imports without `..` after a folder name (the layer rules read paths as written).',
};

/** Sockets and HTTP are the transport's; nothing below it may import them. */
const NO_TRANSPORT_PACKAGES = {
  regex:
    '^(?:socket\\.io(?:-client)?|engine\\.io(?:-client)?|ws|(?:node:)?(?:http|https|http2|net|tls|dgram))(?:/|$)',
  message:
    'Only the transport (realtime/, http.ts) knows about sockets and HTTP; services reach people through the Notifier (domain.ts).',
};

/** A boundary block for server files: the process boundaries, the winding-path guard, and `patterns`. */
const serverBoundary = (name, files, ignores, patterns = []) => ({
  name: `parley/boundaries/signaling-${name}`,
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          noElectron('signaling/'),
          noTopLevelDir('renderer', 'signaling/', 'The server shares only signaling/protocol/ with clients.'),
          noTopLevelDir('main', 'signaling/', 'The server shares only signaling/protocol/ with clients.'),
          noTopLevelDir('shared', 'signaling/', 'The server shares only signaling/protocol/ with clients.'),
          NO_WINDING_PATHS,
          ...patterns,
        ],
      },
    ],
  },
});

const capitalised = (text) => text[0].toUpperCase() + text.slice(1);

/** The block of one server layer (tests excepted): no imports from the layers above it. */
const serverLayer = (layer, { files = SERVER_LAYERS[layer].files, ignores = [] } = {}) => {
  const index = LAYER_ORDER.indexOf(layer);
  return serverBoundary(
    layer,
    files,
    [...ignores, '**/*.test.ts'],
    [
      ...LAYER_ORDER.slice(0, index).map((higher) => ({
        regex: serverModuleSource(SERVER_LAYERS[higher].modules),
        message: `${capitalised(SERVER_LAYERS[layer].what)} must not import ${SERVER_LAYERS[higher].what}: dependencies point one way (docs/architecture.md).`,
      })),
      ...(index > LAYER_ORDER.indexOf('transport') ? [NO_TRANSPORT_PACKAGES] : []),
    ],
  );
};

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

  // The renderer: the web app's code may not import main/ at all; its desktop side only main/ipc/contract.
  rendererBoundary('renderer', ['renderer/**/*.ts', 'renderer/**/*.tsx'], noMain, RENDERER_DESKTOP_SIDE),
  rendererBoundary('renderer-desktop-side', RENDERER_DESKTOP_SIDE, onlyMainContract),

  // ---- The call app's layers (renderer/) -------------------------------------------------------------
  rendererLayer(
    'parts',
    ['renderer/{call,net,platform,audio,headset,util}/**/*.ts'],
    [
      {
        regex: '^\\.\\./(?:app|state|ui)/',
        message:
          'call/, net/, platform/, audio/, headset/ and util/ are parts the app is built from and know nothing of it: no app/, state/ or ui/.',
      },
      ...ONE_STORE_OWNER,
    ],
    ['renderer/util/store.ts'],
  ),
  rendererLayer(
    'domains',
    ['renderer/state/**/*.ts'],
    [
      {
        regex: '^\\.\\./(?:call|platform|audio)/|^\\.\\./net/signaling-client\\.js$',
        allowTypeImports: true,
        message:
          'A domain gets the engine, the connection, the platform and the tones handed in (app/composition-root.ts), so its tests can hand in fakes: import only their types.',
      },
      {
        regex: '^\\.\\./ui/(?!(?:error-)?words\\.js$)|^react(?:-dom)?(?:/|$)',
        message: 'A domain knows no components; from ui/ it takes only the words (words.ts, error-words.ts).',
      },
      ONE_STORE_OWNER[1],
    ],
  ),
  rendererLayer(
    'ui',
    ['renderer/ui/**/*.{ts,tsx}'],
    [
      {
        regex: '^\\.\\./(?:net|platform|audio)/|^\\.\\./call/(?!media\\.js$)',
        allowTypeImports: true,
        message:
          "Components read the domains' stores and call their actions (app/context.ts useApp, the state/ hooks); they do not drive the engine, the connection, the platform or the tones (call/media.js, for the Settings previews, excepted).",
      },
      ...ONE_STORE_OWNER,
    ],
  ),
  rendererLayer(
    'app',
    ['renderer/app/**/*.ts', 'renderer/incoming/**/*.tsx', 'renderer/*.tsx'],
    ONE_STORE_OWNER,
    ['renderer/app/context.ts'],
  ),

  {
    // The vocabulary of the call app and its shell, imported by both renderer/ and main/.
    name: 'parley/boundaries/shared',
    files: ['shared/**/*.ts'],
    // Its tests run in Node under vitest; they are not bundled.
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode('shared/ (it is bundled into the renderer)'),
            {
              // Only the wire contract's files, as `../signaling/protocol/x.js`, and ./ siblings.
              regex: `^(?!\\./[^/]+$|\\.\\./signaling/protocol/[^/]+$|zod(?:/|$)|${NODE_BUILTIN_SOURCE})`,
              message: 'shared/ may import only zod, signaling/protocol/ and ./ siblings.',
            },
          ],
        },
      ],
    },
  },

  // ---- Server layers (signaling/) --------------------------------------------------------------------
  // Dependencies inside the server point one way, from the entry points down to the wire contract
  // (docs/architecture.md); SERVER_LAYERS above lists the layers. Each gets one block that forbids
  // importing the layers above it, so these blocks also carry the process boundaries. Tests drive a whole
  // server and may import any layer; the process boundaries still apply to them.
  serverLayer('entry', {
    files: ['signaling/**/*.ts'],
    ignores: [
      'signaling/protocol/**',
      ...LAYER_ORDER.slice(1).flatMap((layer) => SERVER_LAYERS[layer].files),
      ...PURE_RULES,
    ],
  }),
  serverBoundary('tests', ['signaling/**/*.test.ts'], ['signaling/protocol/**']),
  serverLayer('transport'),
  serverLayer('services', { ignores: PURE_RULES }),
  serverLayer('storage'),
  serverLayer('base'),
  {
    name: 'parley/boundaries/signaling-pure',
    files: PURE_RULES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Anything but ../protocol/ (without `..` after it) and ../domain.js.
              regex: '^(?!\\.\\./(?:protocol/(?!(?:.*/)?\\.\\.(?:/|$))|domain\\.js$))',
              message:
                'A pure rule (calls/machine.ts, presence/derive.ts) may import only ../protocol/ and ../domain.js: no storage, timers, sockets or packages.',
            },
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

  {
    // Main's decisions (what rings where, the incoming-call window's life, the tray's menu, links, security
    // policies, settings, the token vault) are plain TypeScript behind narrow interfaces, unit-tested
    // without Electron; only the adapters and the wiring listed in `ignores` touch Electron.
    name: 'parley/layers/main-logic',
    files: ['main/**/*.ts'],
    ignores: [
      'main/**/*.test.ts',
      'main/test-support/**',
      'main/index.ts',
      'main/preload.ts',
      'main/shell.ts',
      'main/ipc/handlers.ts',
      'main/window/**',
      'main/ringing/electron-*.ts',
      'main/tray/electron-*.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(?:/|$)',
              allowTypeImports: true,
              message:
                'Only the Electron adapters (window/, ringing/electron-*.ts, tray/electron-*.ts, ipc/handlers.ts) and the wiring (index.ts, shell.ts, preload.ts) use Electron; decisions stay testable without it.',
            },
          ],
        },
      ],
    },
  },
]);

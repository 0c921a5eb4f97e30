import { describe, expect, it } from 'vitest';
import {
  MAX_DEEP_LINK_LENGTH,
  PROTOCOL_CLIENT_ARGS,
  deepLinkFromArgv,
  parseDeepLink,
  protocolClientArgs,
} from './parse.js';

const TEL = { telLinks: true };
const NO_TEL = { telLinks: false };
/** What a link asks for: a call the person confirms first. */
const call = (username: string, media: 'audio' | 'video' = 'audio') => ({
  type: 'confirm-call',
  username,
  media,
});

describe('a link never starts a call by itself', () => {
  it('a camera call link becomes a question for the person (confirm-call), never a call', () => {
    for (const link of ['parley://call/alice?media=video', 'parley://call/alice', 'tel:alice']) {
      const action = parseDeepLink(link, TEL);
      expect(action?.type, link).toBe('confirm-call');
    }
    expect(deepLinkFromArgv(['parley', '--', 'parley://call/alice?media=video'], NO_TEL)).toEqual(
      call('alice', 'video'),
    );
  });
});

describe('parseDeepLink: parley://call/<username>', () => {
  it.each([
    ['parley://call/alice', call('alice')],
    ['parley://call/alice?media=audio', call('alice')],
    ['parley://call/alice?media=video', call('alice', 'video')],
    ['parley://call/alice/', call('alice')],
    ['parley://call/alice/?media=video', call('alice', 'video')],
    ['parley://call/alice?', call('alice')],
    ['parley://call/ALICE', call('alice')],
    ['PARLEY://CALL/Alice?media=video', call('alice', 'video')],
    ['parley://call/bob.smith_2-x', call('bob.smith_2-x')],
    ['parley://call/abc', call('abc')],
    [`parley://call/${'a'.repeat(32)}`, call('a'.repeat(32))],
  ])('%s', (raw, expected) => {
    expect(parseDeepLink(raw, NO_TEL)).toEqual(expected);
    expect(parseDeepLink(raw, TEL)).toEqual(expected);
  });

  it.each([
    // traversal, encoding, extra segments
    'parley://call/../../etc',
    'parley://call/..',
    'parley://call/./alice',
    'parley://call/alice/..',
    'parley://call/alice%2f..',
    'parley://call/alice%2F..%2F..',
    'parley://call/%61lice',
    'parley://call/alice%00',
    'parley://call/alice/extra',
    'parley://call/alice//',
    'parley://call//alice',
    'parley://call/alice\\..',
    // username rule
    'parley://call/',
    'parley://call',
    'parley://call/ab',
    `parley://call/${'a'.repeat(33)}`,
    'parley://call/al ice',
    'parley://call/al+ice',
    'parley://call/al%20ice',
    'parley://call/älice',
    'parley://call/al\u0131ce', // dotless i
    // query
    'parley://call/alice?media=screen',
    'parley://call/alice?media=VIDEO',
    'parley://call/alice?media=',
    'parley://call/alice?media',
    'parley://call/ALICE?media=video&media=audio',
    'parley://call/alice?media=audio&media=audio',
    'parley://call/alice?media=video&x=1',
    'parley://call/alice?x=1',
    'parley://call/alice?media=video&',
    'parley://call/alice?media=vid%65o',
    'parley://call/alice?media=video;x',
    // fragments
    'parley://call/alice#',
    'parley://call/alice#media=video',
    'parley://call/alice?media=audio#../../x',
    // authority tricks
    'parley://evil@call/alice',
    'parley://call@evil/alice',
    'parley://user:pw@call/alice',
    'parley://call:1/alice',
    'parley://call:/alice',
    'parley://call.evil/alice',
    'parley://CALLX/alice',
    'parley:call/alice',
    'parley:/call/alice',
    'parley:///call/alice',
    // unknown actions, schemes
    'parley://answer/alice',
    'parley://open/alice',
    'parley://history',
    'parleyx://call/alice',
    'https://call/alice',
    'javascript:alert(1)//parley://call/alice',
    'javascript://call/alice%0aalert(1)',
    'file:///call/alice',
    // argument injection shapes
    'parley://call/alice --no-sandbox',
    'parley://call/alice" --gpu-launcher="calc',
    ' parley://call/alice',
    'parley://call/alice ',
    'parley://call/alice\n',
    'parley://call/ali\tce',
    '--inspect=0.0.0.0:9229',
    '',
    `parley://call/alice?media=audio${'&'.repeat(MAX_DEEP_LINK_LENGTH)}`,
  ])('refuses %j', (raw) => {
    expect(parseDeepLink(raw, NO_TEL)).toBeNull();
    expect(parseDeepLink(raw, TEL)).toBeNull();
  });

  it('refuses non-strings without throwing', () => {
    for (const value of [undefined, null, 1, {}, ['parley://call/alice']]) {
      expect(parseDeepLink(value as unknown as string, TEL)).toBeNull();
    }
  });
});

describe('parseDeepLink: tel:', () => {
  it.each([
    ['tel:alice', call('alice')],
    ['TEL:Alice', call('alice')],
    ['tel:al.ice', call('al.ice')],
    ['tel:al-ice', call('al-ice')],
    ['tel:5550100', call('5550100')],
    ['tel:555-0100', call('5550100')],
    ['tel:555.0100', call('5550100')],
    ['tel:(555)0100', call('5550100')],
    ['tel:+1-555-0100', call('15550100')],
    ['tel:+44(20)7946.0000', call('442079460000')],
  ])('%s (telLinks on)', (raw, expected) => {
    expect(parseDeepLink(raw, TEL)).toEqual(expected);
    expect(parseDeepLink(raw, NO_TEL)).toBeNull();
  });

  it.each([
    'tel:',
    'tel:+',
    'tel:12',
    'tel:1-2',
    'tel:+1',
    'tel:555 0100', // RFC 3966: no spaces
    'tel:555%200100',
    'tel:5550100;ext=12',
    'tel:5550100;phone-context=example.com',
    'tel:*21#',
    'tel:5550100#',
    'tel:5550100?x=1',
    'tel://alice',
    'tel:/alice',
    'tel:+alice',
    'tel:al_ice', // `_` is not a tel character
    'tel:(alice)',
    `tel:${'1'.repeat(33)}`,
    'tel:alice --no-sandbox',
    'tel:alice\n',
    'telx:alice',
  ])('refuses %j', (raw) => {
    expect(parseDeepLink(raw, TEL)).toBeNull();
  });
});

describe('deepLinkFromArgv', () => {
  const exe = 'C:\\Program Files\\Parley\\Parley.exe';

  it('finds the link after the -- sentinel (Windows registration, second-instance)', () => {
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice'], NO_TEL)).toEqual(call('alice'));
    expect(
      deepLinkFromArgv(
        [
          exe,
          '--allow-file-access-from-files',
          '--original-process-start-time=1',
          '--',
          'parley://call/bob?media=video',
        ],
        NO_TEL,
      ),
    ).toEqual(call('bob', 'video'));
    expect(deepLinkFromArgv([exe, '--', 'tel:+1-555-0100'], TEL)).toEqual(call('15550100'));
  });

  it('without a sentinel (Linux .desktop, dev runs) takes the one non-switch link after argv[0]', () => {
    expect(deepLinkFromArgv(['/opt/Parley/parley', 'parley://call/alice'], NO_TEL)).toEqual(call('alice'));
    expect(
      deepLinkFromArgv(['/opt/Parley/parley', '--enable-crashpad', 'parley://call/alice'], NO_TEL),
    ).toEqual(call('alice'));
    expect(deepLinkFromArgv(['electron', '/src/parley', 'parley://call/alice'], NO_TEL)).toEqual(
      call('alice'),
    );
  });

  it('ignores links before the sentinel', () => {
    expect(deepLinkFromArgv([exe, 'parley://call/mallory', '--', 'parley://call/alice'], NO_TEL)).toEqual(
      call('alice'),
    );
    expect(deepLinkFromArgv([exe, 'parley://call/mallory', '--'], NO_TEL)).toBeNull();
  });

  it('never treats a switch as a link, before or after the sentinel', () => {
    for (const argv of [
      [exe, '--inspect=0.0.0.0:9229'],
      [exe, '--gpu-launcher=calc'],
      [exe, '--', '--gpu-launcher=calc'],
      [exe, '--', '--inspect=0.0.0.0:9229'],
      [exe, '--', '-parley://call/alice'],
      [exe, '--', '--parley://call/alice'],
    ]) {
      expect(deepLinkFromArgv(argv, TEL), argv.join(' ')).toBeNull();
    }
  });

  it('refuses hostile arguments', () => {
    for (const argv of [
      [exe, '--', 'parley://call/alice --no-sandbox'],
      [exe, '--', 'parley://call/alice" --gpu-launcher="calc'],
      [exe, '--', 'parley://call/../../etc'],
      [exe, '--', 'parley://call/alice%2f..'],
      [exe, '--', 'parley://call/ALICE?media=video&media=audio'],
      [exe, '--', 'javascript:alert(1)'],
      [exe, '--', 'file:///C:/Windows/System32/calc.exe'],
      [exe, '--', 'https://evil.example/'],
      [exe, '--', 'tel:alice'], // tel links off
      [exe, 'javascript:alert(1)'],
      [exe],
      [exe, '--'],
      [],
    ]) {
      expect(deepLinkFromArgv(argv, NO_TEL), JSON.stringify(argv)).toBeNull();
    }
  });

  it('accepts at most one link: a broken-out URL that yields several refuses them all', () => {
    // `parley://call/alice" "parley://call/mallory` split by the shell into two arguments.
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice', 'parley://call/mallory'], NO_TEL)).toBeNull();
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice', 'parley://call/../x'], NO_TEL)).toBeNull();
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice', 'tel:mallory'], TEL)).toBeNull();
    // ...but unrelated non-link arguments do not count
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice', 'tel:mallory'], NO_TEL)).toEqual(
      call('alice'),
    );
    expect(deepLinkFromArgv([exe, '--', 'parley://call/alice', 'C:\\Users\\me'], NO_TEL)).toEqual(
      call('alice'),
    );
  });

  it('refuses argv that is not an array of strings without throwing', () => {
    expect(deepLinkFromArgv(undefined as unknown as string[], NO_TEL)).toBeNull();
    expect(deepLinkFromArgv('parley://call/alice' as unknown as string[], NO_TEL)).toBeNull();
    expect(deepLinkFromArgv([exe, '--', 42 as unknown as string], NO_TEL)).toBeNull();
  });
});

describe('protocol client args', () => {
  it('registers a -- sentinel as the last argument, before the OS-supplied "%1"', () => {
    expect(PROTOCOL_CLIENT_ARGS).toEqual(['--']);
    expect(Object.isFrozen(PROTOCOL_CLIENT_ARGS)).toBe(true);
    expect(protocolClientArgs()).toEqual(['--']);
    expect(protocolClientArgs()).not.toBe(protocolClientArgs());
  });

  it('puts a dev app path before the sentinel, quoted if it has spaces', () => {
    expect(protocolClientArgs('/src/parley')).toEqual(['/src/parley', '--']);
    expect(protocolClientArgs('C:\\My Projects\\parley')).toEqual(['"C:\\My Projects\\parley"', '--']);
    for (const bad of ['', '--inspect', 'C:\\x" --gpu-launcher="calc', 'a\nb']) {
      expect(() => protocolClientArgs(bad), bad).toThrow();
    }
  });
});

/** The README's settings table lists exactly the settings config.ts knows, with their flags, variables and defaults. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { documentedSettings, loadConfig } from './config.js';

const README = new URL('../README.md', import.meta.url);

/** The rows of the table under "### Settings": flag, variable, default (backticks removed). */
function readmeRows(): { flag: string; env: string; default: string }[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('### Settings'));
  const table = section.slice(0, section.search(/\n#/));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `--'))
    .map((line) => {
      const [flag, env, shown] = line
        .split(' | ')
        .slice(0, 3)
        .map((cell) => cell.replace(/^\| /, '').replaceAll('`', '').trim());
      return { flag: flag!, env: env!, default: shown! };
    });
}

it('lists every setting once, with the flag, environment variable and default the server uses', () => {
  const byFlag = (a: { flag: string }, b: { flag: string }) => a.flag.localeCompare(b.flag);
  const rows = readmeRows().sort(byFlag);
  expect(rows.length).toBeGreaterThan(10);
  expect(rows).toEqual(documentedSettings().sort(byFlag));
});

it('documents flags the server accepts', () => {
  // An empty value means "unset", so each documented flag must load without complaint.
  for (const { flag } of documentedSettings()) expect(() => loadConfig([`${flag}=`], {}), flag).not.toThrow();
});

/** HTTP rules every request meets, over real HTTP: the JSON media type. */
import { afterEach, describe, expect, it } from 'vitest';
import { httpRoutes } from './protocol/index.js';
import { PASSWORD, postJson, startTestServer, type TestServer } from './test-support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const errorCode = (res: { body?: Record<string, unknown> }) =>
  (res.body as { error?: { code: string } } | undefined)?.error?.code;

describe('content type', () => {
  it('accepts application/json with parameters, and refuses look-alike media types changing nothing', async () => {
    server = await startTestServer();
    const account = (username: string) => ({ username, displayName: 'Someone', password: PASSWORD });

    const refused = [
      'application/jsonx',
      'application/json-patch+json',
      'application/json5',
      'application/jsonp; charset=utf-8',
      'text/json',
      'text/plain',
      'application/json; charset=iso-8859-1',
    ];
    for (const [i, contentType] of refused.entries()) {
      const res = await postJson(server, httpRoutes.register, account(`refused${i}`), {
        'content-type': contentType,
      });
      expect(res.status, contentType).toBe(400);
      expect(res.body, contentType).toEqual({
        error: { code: 'E_INVALID', message: 'content-type must be application/json' },
      });
      // Nothing was created: the same username registers afterwards.
      expect((await postJson(server, httpRoutes.register, account(`refused${i}`))).status).toBe(201);
    }

    const accepted = [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset="UTF-8"',
      'application/json ; foo=bar',
    ];
    for (const [i, contentType] of accepted.entries()) {
      const res = await postJson(server, httpRoutes.register, account(`accepted${i}`), {
        'content-type': contentType,
      });
      expect(res.status, contentType).toBe(201);
      expect(errorCode(res), contentType).toBeUndefined();
    }
  });
});

/**
 * For the CLI tests: loaded into a server process with `node --import`, it fails on SIGUSR2 the way
 * nothing in the server is prepared for: a promise rejected that nobody handles, or with
 * TEST_FAULT=throw an exception thrown from a callback.
 */
process.on('SIGUSR2', () => {
  const err = new Error('an unexpected failure (test)');
  if (process.env.TEST_FAULT === 'throw') {
    setImmediate(() => {
      throw err;
    });
  } else {
    void Promise.reject(err);
  }
});

// The services test/run.ts sets up for a run. A test that needs one and does not find
// it fails with this message: run the suite with `npm test`, which provides them.

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests with \`npm test\`, which starts Temporal and MySQL for them`);
  }
  return value;
}

export const services = {
  get temporalAddress() {
    return required('PARKER_TEST_TEMPORAL_ADDRESS');
  },
  get databaseUrl() {
    return required('PARKER_TEST_DATABASE_URL');
  },
  get workflowBundlePath() {
    return required('PARKER_TEST_WORKFLOW_BUNDLE');
  },
  get temporalCli() {
    return required('PARKER_TEST_TEMPORAL_CLI');
  },
  /** The yt-dlp the run installed or was given (scripts/ensure-ytdlp.sh). */
  get ytdlp() {
    return required('PARKER_TEST_YTDLP');
  },
  /** A Python that can `import feedparser` (scripts/ensure-feedparser.sh). */
  get feedparserPython() {
    return required('PARKER_TEST_FEEDPARSER_PYTHON');
  },
  /** A launcher of the time-skipping test server, taking its port as first argument (scripts/ensure-test-server.sh). */
  get timeSkippingServer() {
    return required('PARKER_TEST_TIME_SKIPPING_SERVER');
  },
};

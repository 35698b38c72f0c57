import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { startDevServer } from '../../src/temporal/dev-server.ts';
import { feedChannel } from '../helpers/feed-channel.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { runCrawl, settledVideos, startParker, uniqueName } from '../helpers/parker.ts';
import { freePort } from '../helpers/ports.ts';
import { services } from '../helpers/services.ts';

// The Temporal Web UI as a person uses it, in headless Chromium (Debian's, driven by
// playwright-core): filtered by ParkerChannel, it lists that channel's downloads and no
// other channel's, and each one's page shows its title. (The list itself shows no
// summaries: the server's list answers carry none.) The suite's dev server has no UI, so this file
// starts one of its own, as `npm start` does, and a worker against it.

// Debian's, which test/setup-machine.ts installs; playwright-core downloads no browser.
const CHROMIUM = '/usr/bin/chromium';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-web-ui-'));
const devServer = await startDevServer({
  cliPath: services.temporalCli,
  dbFile: path.join(scratch, 'temporal.db'),
  port: await freePort(),
  uiPort: await freePort(),
});
const server = await FixtureServer.start();
const parker = await startParker({ temporal: { address: devServer.address, namespace: 'default', taskQueue: uniqueName('web-ui') } });
after(async () => {
  await parker.stop();
  await server.close();
  await devServer.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the Temporal Web UI', () => {
  test("filtered by ParkerChannel, it lists that channel's downloads; a download's page shows its title", async () => {
    const wanted = feedChannel(server, 'ui', [
      { id: 'a', title: 'Alpha episode', served: true },
      { id: 'b', title: 'Beta episode', served: true },
    ]);
    const other = feedChannel(server, 'ui-other', [{ id: 'c', title: 'Gamma episode', served: true }]);
    await runCrawl(parker, wanted.input);
    await runCrawl(parker, other.input);
    await settledVideos(parker.db, wanted.channel);
    await settledVideos(parker.db, other.channel);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const query = `ParkerChannel='${wanted.channel}' AND WorkflowType='downloadVideo'`;
      const [alpha, beta] = [videoWorkflowId(wanted.channel, `${wanted.channel}-a`), videoWorkflowId(wanted.channel, `${wanted.channel}-b`)];
      const url = `${devServer.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
      // Visibility trails the workflows, and two busy cores render the page slowly: wait
      // for the titles, and load the page again if they are not there yet.
      const deadline = Date.now() + 90_000;
      for (;;) {
        await page.goto(url, { waitUntil: 'networkidle' });
        try {
          await page.getByText(alpha).first().waitFor({ timeout: 15_000 });
          await page.getByText(beta).first().waitFor({ timeout: 5_000 });
          break;
        } catch (error) {
          if (Date.now() < deadline) continue;
          await page.screenshot({ path: path.join(os.tmpdir(), 'parker-web-ui-failure.png') });
          const shown = await page.locator('body').innerText();
          assert.fail(`the Web UI did not list both downloads (${(error as Error).message.split('\n')[0]}); it shows:\n${shown.slice(0, 2000)}`);
        }
      }
      await page.screenshot({ path: path.join(os.tmpdir(), 'parker-web-ui.png') });
      const listed = await page.locator('body').innerText();
      assert.ok(!listed.includes(videoWorkflowId(other.channel, `${other.channel}-c`)), "another channel's download is filtered out");

      // The download's own page: its summary, the video's title and channel.
      await page.getByRole('link', { name: alpha }).first().click();
      await page.getByText(`Alpha episode — ${wanted.channel}`).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(os.tmpdir(), 'parker-web-ui-download.png') });
    } finally {
      await browser.close();
    }
  });
});

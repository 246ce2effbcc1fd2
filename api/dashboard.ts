import path from 'node:path';
import { Router } from 'express';
import { build } from 'esbuild';
import { docsContentSecurityPolicy } from './docs';

/**
 * `/dashboard`: a small browser front end (dashboard/, plain DOM and Chart.js) that calls only the public `/v1` API with
 * the key the user enters. Its script is bundled by esbuild from the TypeScript sources on the first request and kept in
 * memory, so a fresh clone, `npm start`, the tests and the container image serve it with no build step and nothing
 * built can go stale on disk. Every file is same-origin and no script or style is inline, so the page runs under
 * helmet's policy (less `upgrade-insecure-requests`, as on /docs).
 */
const sourceDir = path.resolve(__dirname, '..', 'dashboard');

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Creator Tracker</title>
    <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
    <link rel="icon" href="data:," />
  </head>
  <body>
    <header class="top">
      <a class="brand" href="/dashboard">Creator Tracker</a>
      <nav><a href="/dashboard">Creators</a> <a href="/dashboard/account">Account</a></nav>
    </header>
    <main id="app"><noscript>The dashboard needs JavaScript; the API itself is documented at <a href="/docs">/docs</a>.</noscript></main>
    <script src="/dashboard/assets/dashboard.js"></script>
  </body>
</html>
`;

let bundle: Promise<string> | undefined;

/** The front end's script, bundled once per process; a failed build is retried on the next request. */
export function dashboardScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [path.join(sourceDir, 'main.ts')],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    logLevel: 'silent',
  }).then(
    (result) => result.outputFiles[0]?.text ?? '',
    (err: unknown) => {
      bundle = undefined;
      throw err;
    },
  );
  return bundle;
}

export function dashboardRouter(): Router {
  const router = Router();
  router.use('/dashboard', docsContentSecurityPolicy);
  router.get('/dashboard/assets/dashboard.js', async (_req, res) => {
    res
      .type('text/javascript')
      .set('cache-control', 'no-cache')
      .send(await dashboardScript());
  });
  router.get('/dashboard/assets/dashboard.css', (_req, res) => {
    res.sendFile(path.join(sourceDir, 'dashboard.css'), { maxAge: 0 });
  });
  // deep links (/dashboard/creators/:id, ...) answer the same page; the script routes on the path
  router.get(['/dashboard', '/dashboard/{*rest}'], (req, res, next) => {
    if (req.path.startsWith('/dashboard/assets/')) {
      next();
      return;
    }
    res.type('html').set('cache-control', 'no-cache').send(PAGE);
  });
  return router;
}

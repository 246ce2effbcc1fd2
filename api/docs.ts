import path from 'node:path';
import { Router } from 'express';
import helmet from 'helmet';

/**
 * `/docs`: an interactive reference of `/openapi.json`, rendered by Swagger UI from the `swagger-ui-dist` package in
 * node_modules (nothing from a CDN, so it works offline). The page, its stylesheet and its initializer are separate
 * same-origin files with no inline script, so helmet's default Content-Security-Policy (`script-src 'self'`) holds, less
 * one directive (see `docsContentSecurityPolicy`). It needs no API key: it shows only the public document. Swagger UI's "Authorize" button takes a bearer
 * key (or an X-API-Key) for "Try it out", kept in the page's memory only.
 */
const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Only the files the page uses (not the package's own index.html, which points at the petstore, nor its OAuth page). */
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui.css.map',
  'swagger-ui-bundle.js',
  'swagger-ui-bundle.js.map',
  'index.css',
  'favicon-32x32.png',
  'favicon-16x16.png',
]);

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Creator Tracker API reference</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"><noscript>The reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript></div>
    <script src="/docs/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="/docs/docs-init.js" charset="utf-8"></script>
  </body>
</html>
`;

// validatorUrl null: the default badge loads an image from validator.swagger.io (off-origin, and offline it fails)
const INITIALIZER = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    validatorUrl: null,
  });
});
`;

/**
 * Helmet's default policy with one directive left out, on /docs and /dashboard only: `upgrade-insecure-requests`
 * makes the browser fetch every http:// subresource over https://, so a page served over plain HTTP anywhere but
 * localhost (the API on a LAN host, docker compose) loads blank: its own scripts fail with an SSL error. These pages
 * load nothing but same-origin files, which are already https:// when the page is, so the directive protects nothing
 * here. Every other directive (`script-src 'self'`, `script-src-attr 'none'`, `object-src 'none'`, ...) stays as
 * helmet sets it.
 */
export const docsContentSecurityPolicy = helmet.contentSecurityPolicy({
  directives: { upgradeInsecureRequests: null },
});

export function docsRouter(): Router {
  const router = Router();
  router.use('/docs', docsContentSecurityPolicy);
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/docs-init.js', (_req, res) => {
    res.type('text/javascript').send(INITIALIZER);
  });
  router.get('/docs/:file', (req, res, next) => {
    const file = req.params.file;
    if (!ASSETS.has(file)) {
      next();
      return;
    }
    res.sendFile(path.join(distDir, file), { maxAge: '1h' });
  });
  return router;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The page's own files: beside the bundle once built (the build copies them), in apps/query-api/web from source. */
const WEB_DIRS = [new URL('./web', import.meta.url), new URL('../../web', import.meta.url)].map((u) =>
  fileURLToPath(u),
);

/** MapLibre GL JS as published on npm (its ES module, worker and stylesheet), served by us: the page needs no CDN. */
const MAPLIBRE_DIST = path.dirname(fileURLToPath(import.meta.resolve('maplibre-gl')));

export interface MapPageOptions {
  /** MAP_STYLE_URL: a MapLibre style URL; '' for OpenStreetMap raster tiles; 'none' for a plain background. */
  styleUrl: string;
}

/** What the page reads at start, embedded in it as JSON. */
export interface MapPageConfig {
  basemap: { kind: 'osm' } | { kind: 'none' } | { kind: 'style'; url: string };
  tileJsonUrl: string;
  apiBase: string;
}

export function mapPageConfig(styleUrl: string): MapPageConfig {
  const basemap: MapPageConfig['basemap'] =
    styleUrl === '' ? { kind: 'osm' } : styleUrl === 'none' ? { kind: 'none' } : { kind: 'style', url: styleUrl };
  return { basemap, tileJsonUrl: '/v1/tiles.json', apiBase: '' };
}

/** JSON safe inside a <script> element: no `<` can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The map page at `/`: the hotspots as vector tiles on a basemap, a search box
 * and a side panel with a hotspot's details. Static files under /map/, none of
 * them in the OpenAPI document.
 */
export async function registerMapPage(app: FastifyInstance, options: MapPageOptions): Promise<void> {
  const webDir = WEB_DIRS.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!webDir) throw new Error(`map page files not found (looked in ${WEB_DIRS.join(', ')})`);
  const html = readFileSync(path.join(webDir, 'index.html'), 'utf8').replace(
    '{{config}}',
    scriptJson(mapPageConfig(options.styleUrl)),
  );

  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/map/',
    decorateReply: false,
    index: false,
    maxAge: '5m',
  });
  await app.register(fastifyStatic, {
    root: MAPLIBRE_DIST,
    prefix: '/map/vendor/maplibre-gl/',
    decorateReply: false,
    index: false,
    // The files are named by the package version in the page's import (?v=), so they can be cached a day.
    maxAge: '1d',
    allowedPath: (pathName) => /^\/maplibre-gl(-worker)?\.(mjs|css)(\.map)?$/.test(pathName),
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html),
  );
}

// The map page: hotspots from the API's vector tiles on a basemap, a search box and a side panel.
// Plain ES modules, no build step; MapLibre GL JS comes from the API itself (/map/vendor/maplibre-gl/).
import { Map as MapLibreMap, NavigationControl } from '/map/vendor/maplibre-gl/maplibre-gl.mjs';

/** @type {{ basemap: { kind: 'osm' } | { kind: 'none' } | { kind: 'style', url: string }, tileJsonUrl: string, apiBase: string }} */
const config = JSON.parse(document.getElementById('photospots-config').textContent);

const DRESDEN = { center: [13.7383, 51.0504], zoom: 13 };
const MONTHS = 'JFMAMJJASOND';
const STYLE_TIMEOUT_MS = 5000;

const background = { id: 'background', type: 'background', paint: { 'background-color': '#eef1f4' } };

/** A style with no basemap: the hotspots draw on a plain background. */
const plainStyle = () => ({ version: 8, sources: {}, layers: [background] });

/** OpenStreetMap's raster tiles, with the attribution their tile usage policy asks for. */
const osmStyle = () => ({
  version: 8,
  sources: {
    osm: {
      type: 'raster',
      tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
      tileSize: 256,
      maxzoom: 19,
      attribution: '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    },
  },
  layers: [background, { id: 'osm', type: 'raster', source: 'osm' }],
});

/** The configured style; a style URL that does not answer in time falls back to the plain background. */
async function basemapStyle() {
  const { basemap } = config;
  if (basemap.kind === 'osm') return osmStyle();
  if (basemap.kind === 'none') return plainStyle();
  try {
    const res = await fetch(basemap.url, { signal: AbortSignal.timeout(STYLE_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.json();
  } catch (err) {
    console.warn(`basemap style ${basemap.url} unavailable (${err.message}); drawing on a plain background`);
    return plainStyle();
  }
}

/** Our source and layers, added on top of whatever basemap the style brings. */
function addHotspotLayers(map) {
  map.addSource('photospots', { type: 'vector', url: new URL(config.tileJsonUrl, location.href).href });
  const isCluster = ['==', ['get', 'kind'], 'cluster'];
  map.addLayer({
    id: 'hulls',
    type: 'fill',
    source: 'photospots',
    'source-layer': 'hulls',
    paint: { 'fill-color': '#3b6fd8', 'fill-opacity': 0.15, 'fill-outline-color': '#3b6fd8' },
  });
  map.addLayer({
    id: 'clusters',
    type: 'circle',
    source: 'photospots',
    'source-layer': 'hotspots',
    filter: isCluster,
    paint: {
      'circle-color': '#f28c28',
      'circle-opacity': 0.85,
      'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 2, 12, 50, 22, 500, 34],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  });
  map.addLayer({
    id: 'hotspots',
    type: 'circle',
    source: 'photospots',
    'source-layer': 'hotspots',
    filter: ['!', isCluster],
    paint: {
      'circle-color': '#d6336c',
      'circle-radius': ['interpolate', ['linear'], ['get', 'userCount'], 3, 5, 50, 10, 300, 16],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  });
  map.addLayer({
    id: 'labels',
    type: 'symbol',
    source: 'photospots',
    'source-layer': 'hotspots',
    filter: ['has', 'label'],
    layout: {
      'text-field': [
        'case',
        isCluster,
        ['concat', ['get', 'label'], ' +', ['to-string', ['-', ['get', 'count'], 1]]],
        ['get', 'label'],
      ],
      'text-font': ['sans-serif'],
      'text-size': 13,
      'text-offset': [0, 1.3],
      'text-anchor': 'top',
      'text-max-width': 10,
      'symbol-sort-key': ['-', ['get', 'score']],
    },
    paint: { 'text-color': '#1d2430', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
  });
}

const api = (path) => fetch(new URL(`${config.apiBase}${path}`, location.href)).then(checked);

async function checked(res) {
  if (res.ok) return res.json();
  const body = await res.json().catch(() => ({}));
  throw new Error(body.error?.message ?? `HTTP ${res.status}`);
}

function element(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
}

const number = (n) => new Intl.NumberFormat('en').format(n);

function monthHistogram(months) {
  const max = Math.max(...months.counts, 1);
  const bars = element('div', { className: 'months' });
  const axis = element('div', { className: 'months-axis' });
  months.counts.forEach((count, i) => {
    const bar = element('div', { title: `${count} photos` });
    bar.style.height = `${(100 * count) / max}%`;
    if (months.busiest.includes(i + 1)) bar.style.background = '#d6336c';
    bars.append(bar);
    axis.append(element('span', { textContent: MONTHS[i] }));
  });
  return element('div', {}, bars, axis);
}

function samplePhoto(photo) {
  const licence = photo.attribution.license ? ` · licence: ${photo.attribution.license}` : '';
  const caption = element('figcaption', {}, photo.title ? element('strong', { textContent: `${photo.title} ` }) : null);
  const credit = photo.pageUrl
    ? element('a', { href: photo.pageUrl, target: '_blank', rel: 'noopener', textContent: photo.attribution.text })
    : document.createTextNode(photo.attribution.text);
  caption.append(credit, licence);
  const image = photo.thumbnailUrl
    ? element('img', { src: photo.thumbnailUrl, alt: photo.title ?? 'Photo', loading: 'lazy' })
    : null;
  return element('figure', {}, image, caption);
}

const panel = document.getElementById('panel');
const panelLabel = document.getElementById('panel-label');
const panelBody = document.getElementById('panel-body');
document.getElementById('panel-close').addEventListener('click', () => (panel.hidden = true));

/** Fills the side panel with one hotspot's detail: counts, score and its parts, busiest months, sample photos. */
async function showHotspot(id) {
  panel.hidden = false;
  panel.dataset.hotspotId = String(id);
  panelLabel.textContent = 'Loading…';
  panelBody.replaceChildren();
  let h;
  try {
    h = await api(`/v1/hotspots/${id}`);
  } catch (err) {
    panelLabel.textContent = 'Not available';
    panelBody.replaceChildren(element('p', { textContent: err.message }));
    return;
  }
  if (panel.dataset.hotspotId !== String(id)) return;
  panelLabel.textContent = h.label ?? `Hotspot ${h.id}`;
  const counts = element(
    'dl',
    {},
    ...[
      ['Photographers', h.counts.users],
      ['Photos', h.counts.photos],
      ['User-days', h.counts.userDays],
      ['Favorites', h.counts.favorites],
      ['Score', Math.round(h.score * 10) / 10],
    ].flatMap(([name, value]) => [element('dt', { textContent: name }), element('dd', { textContent: number(value) })]),
  );
  const components = h.scoreComponents
    ? element(
        'dl',
        { className: 'components' },
        ...Object.entries(h.scoreComponents).flatMap(([name, value]) => [
          element('dt', { textContent: name }),
          element('dd', { textContent: number(Math.round(value * 100) / 100) }),
        ]),
      )
    : element('p', { textContent: 'Not scored yet.' });
  panelBody.replaceChildren(
    counts,
    element('h3', { textContent: 'Score components' }),
    components,
    h.months ? element('h3', { textContent: 'Busiest months' }) : null,
    h.months ? monthHistogram(h.months) : null,
    h.tags.length ? element('p', { className: 'tags', textContent: h.tags.join(' · ') }) : null,
    element('h3', { textContent: 'Photos' }),
    h.samplePhotos.length
      ? element('div', { className: 'photos' }, ...h.samplePhotos.map(samplePhoto))
      : element('p', { className: 'meta', textContent: 'No photos to show.' }),
  );
}

/** The search box: results from /v1/hotspots/search; picking one flies there and opens its panel. */
function wireSearch(map) {
  const form = document.getElementById('search');
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-results');
  let asked = 0;
  const pick = (item) => {
    list.hidden = true;
    input.value = item.label ?? input.value;
    map.flyTo({ center: [item.lng, item.lat], zoom: Math.max(map.getZoom(), 16) });
    void showHotspot(item.id);
  };
  const search = async () => {
    const q = input.value.trim();
    const ticket = ++asked;
    if (q.length < 2) {
      list.hidden = true;
      return;
    }
    let items;
    try {
      ({ items } = await api(`/v1/hotspots/search?q=${encodeURIComponent(q)}&limit=8`));
    } catch (err) {
      items = [];
      console.warn(`search failed: ${err.message}`);
    }
    if (ticket !== asked) return;
    list.replaceChildren(
      ...items.map((item) => {
        const li = element(
          'li',
          { role: 'option' },
          element('div', { textContent: item.label ?? `Hotspot ${item.id}` }),
          element('div', { className: 'meta', textContent: `${number(item.userCount)} photographers` }),
        );
        li.dataset.hotspotId = String(item.id);
        li.addEventListener('click', () => pick(item));
        return li;
      }),
    );
    if (items.length === 0) list.append(element('li', { className: 'meta', textContent: 'No hotspot matches.' }));
    list.hidden = false;
    list.dataset.query = q;
  };
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    await search();
    const first = list.querySelector('li[data-hotspot-id]');
    first?.click();
  });
}

const map = new MapLibreMap({
  container: 'map',
  style: await basemapStyle(),
  ...DRESDEN,
  attributionControl: { compact: false },
});
map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
// A listener replaces MapLibre's own console.error for every failed tile: a basemap that cannot be reached
// (offline, blocked) is said once, as a warning, and the hotspots keep drawing; our own source's errors stay errors.
let basemapWarned = false;
map.on('error', (event) => {
  if (event.sourceId === 'photospots' || !event.sourceId) {
    console.error(event.error);
  } else if (!basemapWarned) {
    basemapWarned = true;
    console.warn(`basemap source ${event.sourceId} unavailable (${event.error?.message}); hotspots draw without it`);
  }
});
// For scripts and tests: the MapLibre map (queryRenderedFeatures, getCenter, …).
window.photospotsMap = map;

map.on('load', () => {
  addHotspotLayers(map);
  for (const layer of ['hotspots', 'clusters']) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }
  map.on('click', 'clusters', (event) => {
    const cluster = event.features[0];
    map.easeTo({ center: cluster.geometry.coordinates, zoom: cluster.properties.expansionZoom });
  });
  map.on('click', 'hotspots', (event) => void showHotspot(event.features[0].properties.id));
  wireSearch(map);
  document.body.dataset.ready = 'true';
});

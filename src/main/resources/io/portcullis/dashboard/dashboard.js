// The Portcullis dashboard: reads /admin/upstreams, /admin/routes and /admin/stats every second
// and shows them. Everything is written with textContent (never as markup): names come from the
// configuration. A figure the gateway does not report is shown as "–".
'use strict';

(function () {
  const REFRESH_MS = 1000;
  const DASH = '\u2013';

  /** The previous /admin/stats reading: rates are differences against it. */
  let previous = null;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) {
        node.setAttribute(name, String(value));
      }
    }
    for (const child of children) {
      if (child === undefined || child === null) {
        continue;
      }
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function isNumber(value) {
    return typeof value === 'number' && Number.isFinite(value);
  }

  /** Per second between the previous and the current reading; null when it cannot be told. */
  function rate(current, before, field) {
    if (!current || !before || !isNumber(current[field]) || !isNumber(before[field])) {
      return null;
    }
    const seconds = (current.uptimeMs - before.uptimeMs) / 1000;
    const delta = current[field] - before[field];
    if (!(seconds > 0) || delta < 0) {
      return null;
    }
    return delta / seconds;
  }

  function formatRate(value) {
    if (value === null) {
      return DASH;
    }
    return value >= 100 ? value.toFixed(0) : value.toFixed(1);
  }

  function formatCount(value) {
    return isNumber(value) ? String(value) : DASH;
  }

  function formatMs(value) {
    if (!isNumber(value)) {
      return DASH;
    }
    return value >= 100 ? value.toFixed(0) + ' ms' : value.toFixed(1) + ' ms';
  }

  function figure(field, label, text) {
    return el('div', { 'data-field': field, 'data-absent': text === DASH ? 'true' : 'false' },
      el('dt', null, label), el('dd', null, text));
  }

  function badge(text, kind) {
    return el('span', { class: 'badge ' + kind }, text);
  }

  function upstreamCard(name, view, stats, before) {
    const endpoints = Array.isArray(view.endpoints) ? view.endpoints : [];
    const available = endpoints.filter(e => e.circuit !== 'open' && e.health !== 'unhealthy').length;
    const availability = available === endpoints.length ? 'all-available'
      : available === 0 ? 'none-available' : 'some-available';
    let inFlight = stats && isNumber(stats.inFlight) ? stats.inFlight : null;
    if (inFlight === null && endpoints.length > 0 && endpoints.every(e => isNumber(e.inFlight))) {
      inFlight = endpoints.reduce((sum, e) => sum + e.inFlight, 0);
    }
    const figures = el('dl', { class: 'figures' },
      figure('requestRate', 'req/s', formatRate(rate(stats, before, 'requests'))),
      figure('errorRate', 'errors/s', formatRate(rate(stats, before, 'errors'))),
      figure('retryRate', 'retries/s', formatRate(rate(stats, before, 'retries'))),
      figure('hedgeRate', 'hedges/s', formatRate(rate(stats, before, 'hedges'))),
      figure('shedRate', 'sheds/s', formatRate(rate(stats, before, 'shed'))),
      figure('inFlight', 'in flight', formatCount(inFlight)),
      figure('concurrencyLimit', 'limit', formatCount(stats ? stats.concurrencyLimit : null)),
      figure('p50', 'p50', formatMs(stats ? stats.latencyP50Ms : null)),
      figure('p99', 'p99', formatMs(stats ? stats.latencyP99Ms : null)));
    const rows = endpoints.map(e => el('tr', { 'data-endpoint': e.endpoint },
      el('td', { class: 'mono', 'data-field': 'endpoint' }, e.endpoint),
      el('td', { 'data-field': 'circuit' }, badge(e.circuit || DASH, e.circuit || 'unknown')),
      el('td', { class: 'num', 'data-field': 'halfOpenIn' },
        e.circuit === 'open' && isNumber(e.millisUntilHalfOpen) ? (e.millisUntilHalfOpen / 1000).toFixed(1) + ' s' : DASH),
      el('td', { class: 'num', 'data-field': 'inFlight' }, formatCount(e.inFlight)),
      el('td', { class: 'num', 'data-field': 'recentFailures' }, formatCount(e.recentFailures)),
      el('td', { class: 'num', 'data-field': 'totalFailures' }, formatCount(e.totalFailures)),
      el('td', { 'data-field': 'health' }, badge(e.health || DASH, e.health || 'unknown'))));
    const table = el('table', { class: 'endpoints' },
      el('thead', null, el('tr', null,
        el('th', { scope: 'col' }, 'endpoint'), el('th', { scope: 'col' }, 'breaker'),
        el('th', { scope: 'col', class: 'num' }, 'half-open in'), el('th', { scope: 'col', class: 'num' }, 'in flight'),
        el('th', { scope: 'col', class: 'num' }, 'recent failures'),
        el('th', { scope: 'col', class: 'num' }, 'total failures'), el('th', { scope: 'col' }, 'health'))),
      el('tbody', null, ...rows));
    return el('article', { class: 'upstream', 'data-upstream': name },
      el('header', null,
        el('h3', null, name),
        el('span', { class: 'balancer' }, view.balancer || ''),
        el('span', { class: 'availability' },
          badge(available + '/' + endpoints.length + ' available', availability))),
      figures, table);
  }

  function matchText(match) {
    if (!match) {
      return DASH;
    }
    const methods = Array.isArray(match.methods) && match.methods.length > 0 ? match.methods.join(',') + ' ' : '';
    if (typeof match.path === 'string') {
      return methods + match.path;
    }
    if (typeof match.pathPrefix === 'string') {
      return methods + (match.pathPrefix.endsWith('/') ? match.pathPrefix : match.pathPrefix + '/') + '*';
    }
    return DASH;
  }

  function targetText(route) {
    if (typeof route.upstream === 'string') {
      return route.upstream;
    }
    if (Array.isArray(route.aggregate)) {
      return 'aggregate: ' + route.aggregate.map(b => b.upstream).join(', ');
    }
    return DASH;
  }

  function routeRow(route, stats, before) {
    return el('tr', { 'data-route': route.name },
      el('td', { 'data-field': 'name' }, route.name),
      el('td', { class: 'mono', 'data-field': 'match' }, matchText(route.match)),
      el('td', { 'data-field': 'target' }, targetText(route)),
      el('td', { class: 'num', 'data-field': 'timeout' }, isNumber(route.timeoutMs) ? route.timeoutMs + ' ms' : DASH),
      el('td', { class: 'num', 'data-field': 'requestRate' }, formatRate(rate(stats, before, 'requests'))),
      el('td', { class: 'num', 'data-field': 'errorRate' }, formatRate(rate(stats, before, 'errors'))));
  }

  function render(upstreams, routes, stats, before) {
    const upstreamStats = (stats && stats.upstreams) || {};
    const upstreamStatsBefore = (before && before.upstreams) || {};
    const names = Object.keys(upstreams);
    const cards = names.map(name => upstreamCard(name, upstreams[name] || {},
      withTime(upstreamStats[name], stats), withTime(upstreamStatsBefore[name], before)));
    document.getElementById('upstreams').replaceChildren(
      ...(cards.length > 0 ? cards : [el('p', { class: 'empty' }, 'No upstreams.')]));

    const routeStats = (stats && stats.routes) || {};
    const routeStatsBefore = (before && before.routes) || {};
    const list = Array.isArray(routes.routes) ? routes.routes : [];
    document.getElementById('routes').replaceChildren(...list.map(route =>
      routeRow(route, withTime(routeStats[route.name], stats), withTime(routeStatsBefore[route.name], before))));

    document.getElementById('requests-in-flight').textContent = formatCount(stats && stats.requestsInFlight);
    document.getElementById('upstream-count').textContent = String(names.length);
    document.getElementById('route-count').textContent = String(list.length);
    document.getElementById('updated').textContent = new Date().toLocaleTimeString();
  }

  /** The counters of one upstream or route, with the reading's time (for rates); null when absent. */
  function withTime(counters, reading) {
    return counters && reading ? Object.assign({ uptimeMs: reading.uptimeMs }, counters) : null;
  }

  function connection(state, text) {
    const node = document.getElementById('connection');
    node.setAttribute('data-state', state);
    document.getElementById('connection-text').textContent = text;
  }

  async function json(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(path + ' answered ' + response.status);
    }
    return response.json();
  }

  async function refresh() {
    try {
      const [upstreams, routes, stats] =
        await Promise.all([json('/admin/upstreams'), json('/admin/routes'), json('/admin/stats')]);
      render(upstreams, routes, stats, previous);
      previous = stats;
      connection('live', 'live');
    } catch (error) {
      connection('stale', 'not updating: ' + error.message);
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
}());

// The proxy console: the latest exchanges and their violations, read every second from
// /_proxy/exchanges; the report is reset with POST /_proxy/reset. No build step, no library.
'use strict';

const REFRESH_MS = 1000;
const $ = (id) => document.getElementById(id);
let data = { recent: [] };
let last = '';

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function say(text) {
  $('status').textContent = text;
}

function verdict(exchange) {
  if (!exchange.operation) return 'outside the spec (not checked)';
  if (!exchange.violations.length) return 'ok';
  return exchange.violations.map((v) => `${v.side} violation`).join(', ');
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    say('The curl line is copied (the token reads $ZADIG_TOKEN from your shell).');
  } catch {
    const pre = button.previousElementSibling;
    getSelection().selectAllChildren(pre);
    say('The curl line is selected: press Ctrl+C to copy it.');
  }
}

function violationItem(exchange, violation) {
  const curl = el('pre', { textContent: violation.curl });
  const copyButton = el('button', {
    type: 'button', textContent: 'Copy', 'aria-label': `Copy the curl line of ${exchange.method} ${exchange.path}`,
  });
  copyButton.onclick = () => copy(violation.curl, copyButton);
  return el('li', { className: violation.side, dataset: { side: violation.side, operation: violation.operation || '' } },
    el('div', {},
      el('span', { className: 'side', textContent: violation.side }),
      el('strong', { textContent: violation.operation || '(outside the spec)' }),
      ` ${violation.rule} · ${exchange.time} · ${exchange.method} `,
      el('code', { textContent: exchange.path }),
      ` → ${violation.status}`),
    el('ul', { className: 'problems' }, ...violation.problems.map((p) => el('li', { textContent: p }))),
    el('div', { className: 'curl' }, curl, copyButton));
}

function show() {
  const operation = $('operation').value;
  const side = $('side').value;
  const exchanges = data.recent.slice().reverse().filter((e) => !operation || e.operation === operation);
  const violations = exchanges.flatMap((e) => e.violations
    .filter((v) => !side || v.side === side)
    .map((v) => violationItem(e, v)));
  $('violations').replaceChildren(...violations);
  $('violations-empty').hidden = violations.length > 0;
  const rows = exchanges
    .filter((e) => !side || e.violations.some((v) => v.side === side))
    .map((e) => el('tr', { className: e.violations.length ? 'bad' : 'ok' },
      el('td', { textContent: e.time }),
      el('td', { textContent: e.method }),
      el('td', { className: 'path', textContent: e.path }),
      el('td', { textContent: String(e.status) }),
      el('td', { textContent: e.operation || '' }),
      el('td', { textContent: e.ms.toFixed(1) }),
      el('td', { className: 'verdict', textContent: verdict(e) })));
  $('exchanges').tBodies[0].replaceChildren(...rows);
  $('exchanges-empty').hidden = rows.length > 0;
}

function showOperations() {
  const select = $('operation');
  const known = new Set([...select.options].map((o) => o.value));
  for (const e of data.recent) {
    if (e.operation && !known.has(e.operation)) {
      select.append(el('option', { value: e.operation, textContent: e.operation }));
      known.add(e.operation);
    }
  }
}

async function refresh() {
  try {
    const response = await fetch('/_proxy/exchanges', { cache: 'no-store' });
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status} ${text}`);
    if (text === last) return;
    last = text;
    data = JSON.parse(text);
    $('upstream').textContent = data.upstream;
    $('counts').textContent = `${data.exchanges} exchanges, ${data.unchecked} outside the spec, ` +
      `${data.violations} violations`;
    showOperations();
    show();
  } catch (error) {
    say(`The proxy does not answer: ${error.message}`);
  }
}

async function reset() {
  const response = await fetch('/_proxy/reset', { method: 'POST' });
  say(response.ok ? 'The report is reset.' : `Reset refused: ${response.status}`);
  await refresh();
}

$('reset').addEventListener('click', reset);
$('operation').addEventListener('change', show);
$('side').addEventListener('change', show);
refresh();
setInterval(refresh, REFRESH_MS);

// The mock console: everything it shows and does goes through the admin API (/_mock), so that a
// team mock shows its shared state whichever process serves the page. No build step, no library.
'use strict';

const ADMIN = '/_mock';
const TOKEN_KEY = 'zadig-mock-admin-token'; // sessionStorage: this tab only
const REFRESH_MS = 1000;
const JOURNAL_SHOWN = 200;
// The mock's own pages and the admin API: hidden from the journal unless asked for.
const OWN_PATHS = [ADMIN, '/ui', '/openapi.json', '/openapi.yaml'];

const $ = (id) => document.getElementById(id);
const state = {
  journal: [], selected: null, statuses: [], customStatuses: [], shown: {}, refreshing: false, down: false,
};

class Refused extends Error {}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-') || key === 'for' || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function button(text, label, onClick, extra = {}) {
  return el('button', { type: 'button', textContent: text, 'aria-label': label, onclick: onClick, ...extra });
}

function say(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

// One admin API call; a refresh (quiet) is not journaled by the mock.
async function admin(method, path, body, quiet = false) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (quiet) headers['X-Mock-Console'] = 'refresh';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(ADMIN + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status === 401 && path !== '/openapi.json') {
    askForToken(token);
    throw new Refused('the admin API wants its token');
  }
  if (!response.ok) {
    const why = data && data.description ? `${data.message} (${data.code}): ${data.description}` : response.statusText;
    throw new Error(`${method} ${ADMIN}${path}: ${response.status} ${why}`);
  }
  return data;
}

function askForToken(refused) {
  const form = $('token-form');
  if (form.hidden) {
    form.hidden = false;
    $('admin-token').focus();
  }
  say(refused ? 'That admin token was refused: enter the right one.' : 'This mock wants its admin token.', true);
}

async function act(what, call) {
  try {
    await call();
    say(what);
    await refresh();
  } catch (error) {
    if (!(error instanceof Refused)) say(error.message, true);
  }
}

// --- running options -------------------------------------------------------------------------

const AUTH = { off: 'off (no token needed)', 'any-token': 'any bearer token', tokens: 'listed tokens only' };

function showOptions(options) {
  const rows = [
    ['Auth', AUTH[options.auth] || options.auth],
    ['Latency', `${options.latency_ms} ms`],
    ['Task duration', options.task_duration ? `${options.task_duration} s` : '0 (tasks never move)'],
    ['State', options.state + (options.reachable ? '' : ' (unreachable)')],
    ['Workers', String(options.workers)],
    ['Strict bodies', options.strict ? 'yes' : 'no'],
    ['CORS', options.cors ? 'on' : 'off'],
    ['Admin token', options.admin_token ? 'required' : 'none'],
  ];
  $('options').replaceChildren(...rows.map(([name, value]) =>
    el('div', { dataset: { option: name } }, el('dt', { textContent: name }), el('dd', { textContent: value }))));
}

// --- journal ---------------------------------------------------------------------------------

function ownPath(path) {
  return path === '/' || OWN_PATHS.some((prefix) => path === prefix || path.startsWith(prefix + '/'));
}

function target(entry) {
  return entry.path + (entry.query ? `?${entry.query}` : '');
}

function clock(iso) {
  return iso.slice(11, 23);
}

function forcedText(forced) {
  if (forced.code === null || forced.code === undefined) return `forced: normal answer${forced.delay_ms ? ` after ${forced.delay_ms} ms` : ''}`;
  return `forced: ${forced.code}${forced.example ? ` ${forced.example}` : ''}`;
}

function showJournal() {
  const all = $('show-admin').checked;
  const entries = state.journal.filter((e) => all || !ownPath(e.path)).reverse();
  const rows = entries.map((entry) => {
    const open = state.selected === entry.id;
    const pathButton = button(target(entry), `Show the request and answer of ${entry.method} ${target(entry)}`,
      () => select(entry.id), { className: 'link', 'aria-expanded': String(open) });
    const pathCell = el('td', {}, pathButton);
    if (entry.forced) pathCell.append(el('span', { className: 'forced-mark', textContent: forcedText(entry.forced) }));
    return el('tr', { className: `${entry.status >= 400 ? 'err' : 'ok'}${open ? ' selected' : ''}`, dataset: { id: entry.id } },
      el('td', { textContent: clock(entry.time) }),
      el('td', { textContent: entry.method }),
      pathCell,
      el('td', { className: 'status', textContent: String(entry.status) }),
      el('td', { className: 'code', textContent: entry.code === null || entry.code === undefined ? '' : String(entry.code) }),
      el('td', { className: 'num', textContent: entry.duration_ms.toFixed(1) }));
  });
  $('journal').tBodies[0].replaceChildren(...rows);
  $('journal-empty').hidden = rows.length > 0;
  showDetail();
  showConsumed();
}

function select(id) {
  state.selected = state.selected === id ? null : id;
  showJournal();
  if (state.selected) $('detail').scrollIntoView({ block: 'nearest' });
}

function pretty(body) {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

function message(part) {
  const headers = Object.entries(part.headers || {}).map(([name, value]) => `${name}: ${value}`).join('\n');
  return `${pretty(part.body || '') || '(no body)'}\n\n${headers}`; // the body first: what matters
}

function showDetail() {
  const entry = state.journal.find((e) => e.id === state.selected);
  $('detail').hidden = !entry;
  if (!entry) return;
  const extra = entry.missing_required && entry.missing_required.length
    ? `  lacks ${entry.missing_required.join(', ')}` : '';
  $('detail-title').textContent = `${entry.method} ${target(entry)} → ${entry.status}${extra}`;
  $('detail-request').textContent = message(entry.request || {});
  $('detail-response').textContent = message(entry.response || {});
}

// --- tasks -----------------------------------------------------------------------------------

function setStatus(task, status) {
  const name = `${task.pipeline_name} #${task.task_id}`;
  delete state.shown[`${task.pipeline_name}/${task.task_id}`]; // the list shows the status again
  return act(`${name} is now ${status}`, () =>
    admin('PATCH', `/tasks/${encodeURIComponent(task.pipeline_name)}/${task.task_id}`, { status }));
}

function showTasks(tasks) {
  const rows = tasks.map((task) => {
    const name = `${task.pipeline_name} #${task.task_id}`;
    const key = `${task.pipeline_name}/${task.task_id}`;
    const choice = el('select', { id: `status-${key}`, onchange: () => { state.shown[key] = choice.value; } },
      ...state.statuses.map((s) => el('option', { value: s, textContent: s })));
    choice.value = state.shown[key] || task.status;
    const label = el('label', { for: choice.id, className: 'visually-hidden', textContent: `Status for ${name}` });
    const actions = el('div', { className: 'actions' },
      button('Pass', `Pass ${name}`, () => setStatus(task, 'passed'), { dataset: { action: 'passed' } }),
      button('Fail', `Fail ${name}`, () => setStatus(task, 'failed'), { dataset: { action: 'failed' } }),
      button('Cancel', `Cancel ${name}`, () => setStatus(task, 'cancelled'), { dataset: { action: 'cancelled' } }),
      label, choice,
      button('Set', `Set the status of ${name}`, () => setStatus(task, choice.value), { dataset: { action: 'set' } }));
    return el('tr', { dataset: { pipeline: task.pipeline_name, taskId: String(task.task_id) } },
      el('td', { textContent: task.pipeline_name }),
      el('td', { className: 'num', textContent: String(task.task_id) }),
      el('td', {}, el('span', { className: `status-pill ${task.status}`, textContent: task.status })),
      el('td', {}, actions));
  });
  $('tasks').tBodies[0].replaceChildren(...rows);
  $('tasks-empty').hidden = rows.length > 0;
}

// --- today's OpenAPI's tasks -------------------------------------------------------------------

function setCustomStatus(task, status, job) {
  const name = `${task.workflow_key} #${task.task_id}${job ? ` job ${job}` : ''}`;
  delete state.shown[`custom/${task.workflow_key}/${task.task_id}`];
  const body = job ? { status, job } : { status };
  return act(`${name} is now ${status}`, () =>
    admin('PATCH', `/custom-tasks/${encodeURIComponent(task.workflow_key)}/${task.task_id}`, body));
}

function showCustomTasks(tasks) {
  const rows = tasks.map((task) => {
    const name = `${task.workflow_key} #${task.task_id}`;
    const key = `custom/${task.workflow_key}/${task.task_id}`;
    const choice = el('select', { id: `status-${key}`, onchange: () => { state.shown[key] = choice.value; } },
      ...state.customStatuses.map((s) => el('option', { value: s, textContent: s })));
    choice.value = state.shown[key] || task.status;
    const label = el('label', { for: choice.id, className: 'visually-hidden', textContent: `Status for ${name}` });
    const approvals = task.jobs.filter((job) => job.type === 'approval').map((job) =>
      button(`Wait for approval: ${job.name}`, `Make job ${job.name} of ${name} wait for approval`,
        () => setCustomStatus(task, 'wait_for_approval', job.name), { dataset: { action: 'wait_for_approval', job: job.name } }));
    const actions = el('div', { className: 'actions' },
      button('Pass', `Pass ${name}`, () => setCustomStatus(task, 'passed'), { dataset: { action: 'passed' } }),
      button('Fail', `Fail ${name}`, () => setCustomStatus(task, 'failed'), { dataset: { action: 'failed' } }),
      button('Cancel', `Cancel ${name}`, () => setCustomStatus(task, 'cancelled'), { dataset: { action: 'cancelled' } }),
      ...approvals,
      label, choice,
      button('Set', `Set the status of ${name}`, () => setCustomStatus(task, choice.value), { dataset: { action: 'set' } }));
    const jobs = task.jobs.map((job) => `${job.name}: ${job.status || 'waiting'}`).join(', ');
    return el('tr', { dataset: { workflow: task.workflow_key, taskId: String(task.task_id) } },
      el('td', { textContent: task.workflow_key }),
      el('td', { className: 'num', textContent: String(task.task_id) }),
      el('td', {}, el('span', { className: `status-pill ${task.status}`, textContent: task.status })),
      el('td', { className: 'jobs', textContent: jobs }),
      el('td', {}, actions));
  });
  $('custom-tasks').tBodies[0].replaceChildren(...rows);
  $('custom-tasks-empty').hidden = rows.length > 0;
}

// --- forced answers --------------------------------------------------------------------------

function answerName(answer) {
  return `${answer.code}${answer.example ? ` ${answer.example}` : ''}`;
}

// Code 200 queues a normal answer: what the mock's rules give (success where they allow it);
// with an example, that success example of the operation's page.
function answerText(answer) {
  if (answer.code === 200 && answer.example) return `the page's example ${answer.example}: ${answer.summary}`;
  if (answer.code === 200) return `answered by the mock's rules: ${answer.summary}`;
  if (answer.empty) return `HTTP ${answer.status}, empty body${answer.summary ? ` (${answer.summary})` : ''}`;
  return `${answer.message}: ${answer.description}${answer.summary ? ` (${answer.summary})` : ''}`;
}

function answerItem(op, answer) {
  const name = answerName(answer);
  const queue = button(name, `Queue ${name} for the next ${op.operation}`,
    () => act(`Queued ${name} for the next ${op.operation}`,
      () => admin('POST', '/next', { operation: op.operation, code: answer.code, example: answer.example })),
    { dataset: { code: String(answer.code), example: answer.example || '' } });
  return el('li', {}, queue, el('span', { textContent: answerText(answer) }));
}

function showAnswers(operations) {
  const sections = operations.map((op) => el('section', { className: 'operation', dataset: { operation: op.operation } },
    el('h4', {}, `${op.operation} `, el('code', { textContent: `${op.method} ${op.path}` })),
    el('ul', { className: 'answers' }, ...op.answers.map((answer) => answerItem(op, answer)))));
  $('answers').replaceChildren(...sections);
}

function showQueue(queue) {
  $('queued').replaceChildren(...queue.map((f) => el('li', {
    textContent: `${f.operation || 'any operation'} → ${f.code === null ? 'normal answer' : f.code}${f.example ? ` ${f.example}` : ''}` +
      `${f.times > 1 ? ` ×${f.times}` : ''}${f.delay_ms ? ` after ${f.delay_ms} ms` : ''}`,
  })));
  $('queued-empty').hidden = queue.length > 0;
}

function showConsumed() {
  const used = state.journal.filter((e) => e.forced).reverse();
  $('consumed').replaceChildren(...used.map((e) => el('li', {
    textContent: `${clock(e.time)} ${e.operation || e.method + ' ' + e.path} → ${e.status}${e.code ? ` ${e.code}` : ''} (${forcedText(e.forced)})`,
  })));
  $('consumed-empty').hidden = used.length > 0;
}

// --- refresh ---------------------------------------------------------------------------------

const last = {};

function changed(name, value) {
  const text = JSON.stringify(value);
  if (last[name] === text) return false;
  last[name] = text;
  return true;
}

async function refresh() {
  if (state.refreshing) return;
  state.refreshing = true;
  try {
    const [journal, tasks, customTasks, queue] = await Promise.all([
      admin('GET', `/requests?limit=${JOURNAL_SHOWN}`, undefined, true),
      admin('GET', '/tasks', undefined, true),
      admin('GET', '/custom-tasks', undefined, true),
      admin('GET', '/next', undefined, true),
    ]);
    if (changed('journal', journal)) { state.journal = journal; showJournal(); }
    if (changed('tasks', tasks)) showTasks(tasks);
    if (changed('customTasks', customTasks)) showCustomTasks(customTasks);
    if (changed('queue', queue)) showQueue(queue);
    if (state.down) { state.down = false; say('The mock answers again.'); }
  } catch (error) {
    if (!(error instanceof Refused)) {
      state.down = true;
      say(`The mock does not answer: ${error.message}`, true);
    }
  } finally {
    state.refreshing = false;
  }
}

async function load() {
  try {
    const [spec, answers, options] = await Promise.all([
      admin('GET', '/openapi.json', undefined, true),
      admin('GET', '/answers', undefined, true),
      admin('GET', '/options', undefined, true),
    ]);
    // The statuses a task can be given, as the admin API declares them.
    const patch = spec.paths['/tasks/{pipeline}/{id}'].patch;
    state.statuses = patch.requestBody.content['application/json'].schema.properties.status.enum;
    const custom = spec.paths['/custom-tasks/{workflowKey}/{taskId}'].patch;
    state.customStatuses = custom.requestBody.content['application/json'].schema.properties.status.enum;
    showAnswers(answers);
    showOptions(options);
    last.tasks = undefined;
    last.customTasks = undefined;
    await refresh();
    return true;
  } catch (error) {
    if (!(error instanceof Refused)) say(`The mock does not answer: ${error.message}`, true);
    return false;
  }
}

function start() {
  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('admin-token').value);
    $('token-form').hidden = true;
    say('');
    if (await load()) say('Admin token accepted.');
  });
  $('reset').addEventListener('click', () => act('The mock is back to its seed.', () => admin('POST', '/reset')));
  $('clear-journal').addEventListener('click', () => act('Journal cleared.', () => admin('DELETE', '/requests')));
  $('clear-queue').addEventListener('click', () => act('Queue cleared.', () => admin('DELETE', '/next')));
  $('close-detail').addEventListener('click', () => select(state.selected));
  $('show-admin').addEventListener('change', showJournal);
  load();
  setInterval(() => { if ($('token-form').hidden) refresh(); }, REFRESH_MS);
}

start();

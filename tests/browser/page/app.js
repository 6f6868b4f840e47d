// A workflow page as a frontend would build it against Zadig's API (or the mock): fetch with a
// bearer token from another origin, errors shown from Zadig's envelope {code, message, ...}.
// Configured from its own URL: index.html?api=<API origin>&token=<API token>.
const params = new URLSearchParams(location.search);
const API = params.get('api') || 'http://127.0.0.1:8080';
const TOKEN = params.get('token') || '';
const PROJECT = 'proxy';
const WORKFLOW = 'proxy-workflow-dev';

class ZadigError extends Error {
  constructor(status, body) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

// Authorization makes every call a non-simple request: the browser sends a CORS preflight first.
async function zadig(method, path, body) {
  const headers = { Authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(API + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new ZadigError(response.status, data);
  return data;
}

const taskPath = (id, action = '') =>
  `/api/aslan/workflow/workflowtask/id/${id}/pipelines/${WORKFLOW}${action}?projectName=${PROJECT}`;

const api = {
  create: () => zadig('POST', `/api/aslan/workflow/workflowtask?projectName=${PROJECT}`, {
    workflow_name: WORKFLOW,
    product_tmpl_name: PROJECT,
    namespace: 'dev',
    targets: [{ name: 'proxy', service_name: 'proxy', product_name: PROJECT }],
  }),
  cancel: (id) => zadig('DELETE', taskPath(id)),
  restart: (id) => zadig('POST', taskPath(id, '/restart')),
};

let taskId = null;
let polling = null;
const $ = (id) => document.getElementById(id);

// The spec has no "get task" call; the mock's admin API tells the status (no token; this page's
// origin is allowed with --allow-origin).
async function pollStatus() {
  const response = await fetch(`${API}/_mock/tasks?pipeline=${WORKFLOW}`);
  const task = (await response.json()).find((t) => t.task_id === taskId);
  const shown = $('task-status');
  if (task && task.status !== shown.textContent) {
    shown.textContent = task.status;
    shown.dataset.history = [shown.dataset.history, task.status].filter(Boolean).join(' ');
  }
}

function note(action, outcome, fields, text) {
  const item = document.createElement('li');
  item.dataset.action = action;
  item.dataset.outcome = outcome;
  Object.assign(item.dataset, fields);
  item.textContent = `${action}: ${text}`;
  $('log').append(item);
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

async function run(action) {
  $('error').hidden = true;
  try {
    const result = await api[action](taskId);
    if (action === 'create') {
      taskId = result.task_id;
      $('task-id').textContent = `${result.pipeline_name} #${taskId}`;
      $('task-status').textContent = 'none';
      $('task-status').dataset.history = '';
      polling = polling || setInterval(() => pollStatus().catch(() => {}), 250);
    }
    note(action, 'ok', { status: 200, taskId }, result.message || `task #${result.task_id}`);
  } catch (error) {
    if (error instanceof ZadigError) {
      // What a user reads: Zadig's fixed message per code, then the detail.
      const { code, message, description } = error.body;
      showError(`${message} (${code}): ${description}`);
      note(action, 'error', { status: error.status, code, message }, message);
    } else {
      // fetch rejects with a TypeError when the browser blocks the answer (e.g. no CORS).
      showError(`Cannot reach ${API}: ${error.name}: ${error.message}`);
      note(action, 'network', { errorName: error.name, errorMessage: error.message },
        `${error.name}: ${error.message}`);
    }
  }
  const haveTask = taskId !== null;
  $('cancel').disabled = !haveTask;
  $('restart').disabled = !haveTask;
}

$('workflow').textContent = WORKFLOW;
$('api').textContent = API;
for (const action of ['create', 'cancel', 'restart']) {
  $(action).addEventListener('click', () => run(action));
}

// The agent console: the open escalations, one escalation's conversation, and the agent's actions.
// It polls the JSON API; every change goes through the handoff service on the server. Text goes in
// with textContent only.
'use strict';

const POLL_MS = 2000;
const NAME = /^[\p{L}\p{N}_ .@'-]{1,40}$/u;
const $ = (id) => document.getElementById(id);
const ui = {
  me: localStorage.getItem('opsbot.agent') || '',
  selected: Number(location.hash.slice(1)) || null,
  shownLines: '',
  offset: 0,  // server time minus this browser's time, for the countdowns
  timer: null, polling: false, again: false, started: false,
};

class Locked extends Error {}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (err) { data = {error: 'the server answered ' + response.status}; }
  if (response.status === 401 && data.login) { showGate('token-gate'); throw new Locked(); }
  if (response.status === 403) { showGate('token-gate', data.error); throw new Locked(); }
  return {status: response.status, data};
}

function showGate(id, message) {
  ['name-gate', 'token-gate', 'console'].forEach((g) => $(g).classList.toggle('hidden', g !== id));
  if (id === 'token-gate') {
    $('token-error').textContent = message || '';
    $('token-form').classList.toggle('hidden', Boolean(message));
  }
}

// --- time ---------------------------------------------------------------------------------------

function clockText(ms) {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0'), ss = String(s).padStart(2, '0');
  return (h ? h + ':' : '') + mm + ':' + ss;
}

function countdown(label, iso) {
  const span = el('span', 'countdown');
  span.dataset.due = iso;
  span.dataset.label = label;
  tickOne(span);
  return span;
}

function tickOne(span) {
  const left = Date.parse(span.dataset.due) - (Date.now() + ui.offset);
  span.textContent = left >= 0 ? span.dataset.label + ' within ' + clockText(left)
                               : span.dataset.label + ' overdue by ' + clockText(left);
  span.classList.toggle('overdue', left < 0);
}

function tick() { document.querySelectorAll('.countdown').forEach(tickOne); }

function hhmm(iso) { return new Date(iso).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'}); }

// --- the queue ------------------------------------------------------------------------------------

function whoIs(esc) {
  if (esc.supplier_name) return esc.supplier_name + ' (' + esc.supplier_id + ')';
  return esc.user_name || esc.conversation;
}

function slaOf(esc) {
  const box = el('span', 'sla');
  if (esc.status === 'pending') box.appendChild(countdown('claim', esc.claim_due_at));
  else if (esc.status === 'assigned') {
    box.appendChild(document.createTextNode('held by ' + esc.assignee.name + ' · '));
    box.appendChild(countdown('resolve', esc.resolve_due_at));
  }
  return box;
}

function renderRows(escalations) {
  const rows = $('rows');
  rows.replaceChildren();
  $('count').textContent = escalations.length ? '(' + escalations.length + ')' : '';
  $('empty').classList.toggle('hidden', escalations.length > 0);
  escalations.forEach((esc) => {
    const row = el('button', 'row' + (esc.id === ui.selected ? ' selected' : ''));
    row.type = 'button';
    row.dataset.id = String(esc.id);
    const top = el('div', 'top');
    top.appendChild(el('span', 'badge ' + esc.status, esc.status));
    if (esc.priority === 'high') top.appendChild(el('span', 'badge high', 'high'));
    top.appendChild(el('span', 'name', whoIs(esc)));
    top.appendChild(el('span', 'muted', '#' + esc.id));
    row.appendChild(top);
    row.appendChild(el('div', 'reasons muted', esc.reasons.join('; ')));
    const sla = el('div', 'sla');
    sla.appendChild(slaOf(esc));
    row.appendChild(sla);
    row.addEventListener('click', () => select(esc.id));
    rows.appendChild(row);
  });
}

// --- one escalation ---------------------------------------------------------------------------------

function mine(esc) { return esc.status === 'assigned' && esc.assignee && esc.assignee.id === 'web:' + ui.me; }

function renderSummary(lines) {
  $('summary').classList.toggle('hidden', !lines.length);
  $('summary-lines').replaceChildren(...lines.map((line) => el('li', '', line)));
}

// A draft goes into the reply box only: the agent edits it and presses Send, or does not.
async function suggest() {
  if (!ui.selected) return;
  $('problem').textContent = 'Asking the model for a draft…';
  try {
    const {data} = await api('/agent/api/escalations/' + ui.selected + '/suggest', {agent: ui.me});
    $('problem').textContent = data.ok ? '' : data.error;
    if (data.ok) { $('reply-text').value = data.draft; $('reply-text').focus(); }
  } catch (err) {
    if (!(err instanceof Locked)) $('problem').textContent = 'Could not reach the server: ' + err;
  }
}

function renderDetail(esc, transcript, summary, suggests) {
  ['head', 'transcript', 'reply-box'].forEach((id) => $(id).classList.remove('hidden'));
  $('nothing-open').classList.add('hidden');
  $('title').textContent = '#' + esc.id + ' · ' + whoIs(esc);
  const about = [...esc.order_ids, ...esc.invoice_ids];
  $('facts').textContent = [
    esc.conversation, esc.language === 'zh' ? 'Chinese' : 'English', esc.reasons.join('; '),
    about.length ? 'about ' + about.join(', ') : '',
    esc.csat_rating ? 'rated ' + esc.csat_rating + '/5' : '',
  ].filter(Boolean).join(' · ');
  $('sla').replaceChildren(el('span', 'badge ' + esc.status, esc.status), document.createTextNode(' '), slaOf(esc));
  const open = esc.status === 'pending' || esc.status === 'assigned';
  const enabled = {
    claim: esc.status === 'pending', unassign: mine(esc), resolve: mine(esc),
    return: esc.status === 'pending' || mine(esc), reply: mine(esc), note: true,
  };
  document.querySelectorAll('[data-action]').forEach((b) => { b.disabled = !enabled[b.dataset.action]; });
  $('suggest').classList.toggle('hidden', !suggests);
  $('suggest').disabled = !open;
  renderSummary(summary || []);
  $('reply-hint').textContent = mine(esc) ? '' : open ? 'Claim it to write to the supplier. Notes stay internal.'
                                                      : 'This conversation is ' + esc.status + '.';
  renderTranscript(esc, transcript);
}

function renderTranscript(esc, transcript) {
  const signature = JSON.stringify(transcript);
  if (signature === ui.shownLines) return;  // unchanged: keep the scroll position
  ui.shownLines = signature;
  const box = $('transcript');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  transcript.forEach((line) => {
    const div = el('div', 'line ' + line.who);
    const label = {
      supplier: esc.supplier_name || esc.user_name || 'Supplier', bot: 'Bot',
      agent: line.author + ' → supplier', note: 'Internal note · ' + line.author, event: '',
    }[line.who];
    if (label) div.appendChild(el('span', 'who', label + ' · ' + hhmm(line.at)));
    div.appendChild(document.createTextNode(line.text));
    box.appendChild(div);
  });
  if (atBottom || !box.dataset.seen) box.scrollTop = box.scrollHeight;
  box.dataset.seen = '1';
}

function select(id) {
  ui.selected = id;
  ui.shownLines = '';
  $('problem').textContent = '';
  $('transcript').dataset.seen = '';
  history.replaceState(null, '', '#' + id);
  document.querySelectorAll('.row').forEach((r) => r.classList.toggle('selected', Number(r.dataset.id) === id));
  refresh();
}

async function act(action) {
  if (!ui.selected) return;
  const body = {agent: ui.me};
  const box = $('reply-text');
  if (action === 'reply' || action === 'note') {
    body.text = box.value.trim();
    if (!body.text) { $('problem').textContent = 'Write something first.'; return; }
  }
  try {
    const {data} = await api('/agent/api/escalations/' + ui.selected + '/' + action, body);
    $('problem').textContent = data.ok ? '' : data.error;
    if (data.ok && body.text) box.value = '';
  } catch (err) {
    if (!(err instanceof Locked)) $('problem').textContent = 'Could not reach the server: ' + err;
  }
  refresh();
}

// --- polling ------------------------------------------------------------------------------------

async function refresh() {
  if (ui.polling) { ui.again = true; return; }
  ui.polling = true;
  clearTimeout(ui.timer);
  let keep = true;
  try {
    const list = await api('/agent/api/escalations');
    ui.offset = Date.parse(list.data.now) - Date.now();
    renderRows(list.data.escalations);
    if (ui.selected) {
      const one = await api('/agent/api/escalations/' + ui.selected);
      if (one.status === 200) {
        renderDetail(one.data.escalation, one.data.transcript, one.data.summary, one.data.suggests);
      }
    }
    $('live').textContent = 'live · updated ' + new Date().toLocaleTimeString();
  } catch (err) {
    keep = !(err instanceof Locked);
    if (keep) $('live').textContent = 'offline: retrying…';
  } finally {
    ui.polling = false;
  }
  if (ui.again) { ui.again = false; refresh(); } else if (keep) ui.timer = setTimeout(refresh, POLL_MS);
}

function start() {
  $('me').textContent = ui.me;
  $('me-box').classList.remove('hidden');
  showGate('console');
  if (!ui.started) { ui.started = true; setInterval(tick, 1000); }
  refresh();
}

async function login(event) {
  event.preventDefault();
  try {
    const response = await fetch('/agent/login', {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({token: $('token-input').value}),
    });
    const data = await response.json();
    if (!data.ok) { $('token-error').textContent = data.error; return; }
    $('token-input').value = '';
    if (ui.me) start(); else showGate('name-gate');
  } catch (err) {
    $('token-error').textContent = 'Could not reach the server: ' + err;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('name-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('name-input').value.trim();
    if (!NAME.test(name)) { $('name-error').textContent = "Use 1 to 40 letters, digits, spaces or . @ ' -"; return; }
    ui.me = name;
    localStorage.setItem('opsbot.agent', name);
    start();
  });
  $('change-name').addEventListener('click', () => { $('name-input').value = ui.me; showGate('name-gate'); });
  $('token-form').addEventListener('submit', login);
  $('suggest').addEventListener('click', (event) => { event.preventDefault(); suggest(); });
  document.querySelectorAll('[data-action]').forEach((button) => button.addEventListener('click', (event) => {
    event.preventDefault();
    act(button.dataset.action);
  }));
  $('reply-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); act('reply'); }
  });
  if (ui.me) start(); else showGate('name-gate');
});

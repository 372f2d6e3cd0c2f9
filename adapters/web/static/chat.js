// The web chat page: send a message, show its replies, and poll /web/updates for what comes later
// (an agent's replies, handoff notices, the rating keyboard). All text goes in with textContent.
'use strict';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);
const chat = {
  cursor: null,          // the last outbox id seen; null: ask the server where "now" is
  shown: new Set(),      // outbox ids already on the page
  inFlight: new Set(),   // ids of our messages waiting for their inline replies
  answered: new Set(),   // ids of our messages whose replies came inline
  agent: '',             // the agent holding the conversation, for the name on their messages
  generation: 0,         // bumped when the user changes name: late answers of the old name are dropped
  timer: null, polling: false, again: false,
};

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Light Markdown of agents' replies: **bold** only; everything stays text.
function appendText(node, text, format) {
  if (format !== 'markdown') { node.appendChild(document.createTextNode(text)); return; }
  text.split(/(\*\*[^*]+\*\*)/).forEach((part) => {
    if (/^\*\*[^*]+\*\*$/.test(part)) node.appendChild(el('strong', '', part.slice(2, -2)));
    else if (part) node.appendChild(document.createTextNode(part));
  });
}

function scrollDown() { const log = $('log'); log.scrollTop = log.scrollHeight; }

function addMine(text) {
  $('welcome').classList.add('hidden');
  $('log').appendChild(el('div', 'msg me', text));
  scrollDown();
}

function addNotice(text) {
  $('log').appendChild(el('div', 'msg notice', text));
  scrollDown();
}

function addReply(reply) {
  const fromAgent = reply.kind === 'relay';
  const notice = reply.kind === 'handoff';
  const div = el('div', 'msg ' + (fromAgent ? 'agent' : notice ? 'notice' : 'bot'));
  if (fromAgent) div.appendChild(el('span', 'who', (chat.agent || 'Our team') + ' · support team'));
  if (reply.edited) div.appendChild(el('span', 'who', 'edited message'));
  if (reply.card) {
    div.classList.add('card');
    div.appendChild(el('div', 'title', reply.card.title));
    reply.card.fields.forEach(([label, value]) => div.appendChild(el('div', 'field', label + ': ' + value)));
    reply.card.sections.forEach((section) => div.appendChild(el('div', 'section', section)));
    reply.card.context.forEach((context) => div.appendChild(el('div', 'context', context)));
  } else {
    appendText(div, reply.text, reply.format);
  }
  (reply.files || []).forEach((name) => div.appendChild(el('div', 'muted', '📎 ' + name)));
  (reply.images || []).forEach((image) => {
    const img = el('img', 'chart');
    img.src = image.url;
    img.alt = image.alt;
    img.loading = 'lazy';
    div.appendChild(img);
  });
  if (reply.table && reply.table.length) {
    const table = el('table');
    reply.table.forEach((row, i) => {
      const tr = el('tr');
      row.forEach((cell) => tr.appendChild(el(i ? 'td' : 'th', '', cell)));
      table.appendChild(tr);
    });
    div.appendChild(table);
  }
  if (reply.buttons && reply.buttons.length) {
    const box = el('div', 'buttons');
    reply.buttons.forEach((b) => {
      const button = el('button', '', b.label);
      button.type = 'button';
      button.addEventListener('click', () => {
        box.querySelectorAll('button').forEach((other) => { other.disabled = true; });
        send(b.label, b.value);
      });
      box.appendChild(button);
    });
    div.appendChild(box);
  }
  $('welcome').classList.add('hidden');
  $('log').appendChild(div);
  scrollDown();
}

function showHandoff(handoff) {
  const banner = $('banner');
  chat.agent = handoff && handoff.agent ? handoff.agent : '';
  if (!handoff) { banner.className = 'banner hidden'; return; }
  if (handoff.status === 'assigned') {
    banner.className = 'banner assigned';
    banner.textContent = 'You are chatting with ' + (handoff.agent || 'a person') + ' from our team.';
  } else {
    banner.className = 'banner pending';
    banner.textContent = 'A person will reply here soon. You can keep writing; write "cancel" to go back to the bot.';
  }
}

function sender() { return $('sender').value.trim() || 'guest'; }

async function send(text, callback) {
  const id = newId();
  const generation = chat.generation;
  const cursorAtSend = chat.cursor;
  chat.inFlight.add(id);
  addMine(text);
  const body = {
    sender: sender(), text, message_id: id,
    supplier_id: $('supplier').value || null, callback_data: callback || null,
  };
  try {
    const response = await fetch('/web/messages', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
    });
    const data = await response.json();
    if (generation !== chat.generation) return;
    if (response.status === 202) {
      // no answer in time: it will come through the updates, from where we were when we sent it
      addNotice('Still working on it: the answer will appear here.');
      if (cursorAtSend !== null && (chat.cursor === null || cursorAtSend < chat.cursor)) chat.cursor = cursorAtSend;
    } else if (data.error) {
      addNotice('⚠ ' + data.error);
    } else {
      chat.answered.add(id);
      (data.replies || []).forEach(addReply);
    }
  } catch (err) {
    addNotice('⚠ could not reach the bot: ' + err);
  } finally {
    chat.inFlight.delete(id);
  }
  poll();
}

async function poll() {
  if (chat.polling) { chat.again = true; return; }  // one poll at a time; run again when it is done
  chat.polling = true;
  clearTimeout(chat.timer);
  const generation = chat.generation;
  const query = new URLSearchParams({sender: sender()});
  if (chat.cursor !== null) query.set('after', String(chat.cursor));
  let keepPolling = true;
  try {
    const response = await fetch('/web/updates?' + query);
    const data = await response.json();
    if (generation === chat.generation) {
      keepPolling = response.ok && data.enabled !== false;  // else: no later messages on this server
      if (keepPolling) receive(data);
    }
  } catch (err) {
    // the server may be restarting: try again at the next tick
  } finally {
    chat.polling = false;
  }
  if (chat.again) { chat.again = false; poll(); } else if (keepPolling) chat.timer = setTimeout(poll, POLL_MS);
}

function receive(data) {
  showHandoff(data.handoff);
  data.messages.forEach((m) => {
    if (chat.shown.has(m.id)) return;
    if (m.in_reply_to && (chat.inFlight.has(m.in_reply_to) || chat.answered.has(m.in_reply_to))) return;
    chat.shown.add(m.id);
    addReply(m);
  });
  chat.cursor = data.cursor;
}

async function loadSuppliers() {
  const picker = $('supplier');
  const saved = localStorage.getItem('opsbot.supplier');
  try {
    const data = await (await fetch('/web/suppliers')).json();
    if (!data.trusted) { $('supplier-label').classList.add('hidden'); return; }
    data.suppliers.forEach((s) => {
      const option = el('option', '', s.name + ' (' + s.id + ')');
      option.value = s.id;
      picker.appendChild(option);
    });
  } catch (err) {
    return;
  }
  const wanted = saved !== null ? saved : 'SUP-001';
  if ([...picker.options].some((o) => o.value === wanted)) picker.value = wanted;
}

function startConversation() {
  chat.generation += 1;
  chat.cursor = null;
  chat.shown.clear(); chat.answered.clear(); chat.inFlight.clear();
  $('log').querySelectorAll('.msg').forEach((node) => node.remove());
  $('welcome').classList.remove('hidden');
  showHandoff(null);
  poll();
}

document.addEventListener('DOMContentLoaded', () => {
  const name = $('sender');
  name.value = localStorage.getItem('opsbot.sender') || 'guest-' + Math.random().toString(36).slice(2, 6);
  localStorage.setItem('opsbot.sender', name.value);
  name.addEventListener('change', () => { localStorage.setItem('opsbot.sender', sender()); startConversation(); });
  $('supplier').addEventListener('change', () => {
    const picker = $('supplier');
    localStorage.setItem('opsbot.supplier', picker.value);
    addNotice(picker.value ? 'You now speak for ' + picker.selectedOptions[0].textContent + '.' : 'You speak for no supplier.');
  });
  $('chips').querySelectorAll('.chip').forEach((chip) => chip.addEventListener('click', () => send(chip.textContent)));
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('text');
    const text = input.value.trim();
    if (text) { send(text); input.value = ''; }
  });
  loadSuppliers();
  poll();
});

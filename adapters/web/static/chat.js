// The web chat page: send a message, show its replies, and poll /web/updates for what comes later
// (an agent's replies, handoff notices, the rating keyboard). All text goes in with textContent.
// The page's own words follow the conversation's language (each reply says it), or the browser's
// before the first reply; the example questions fit the role: a supplier's, or a sales rep's when no
// supplier is picked.
'use strict';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);
const chat = {
  cursor: null,          // the last outbox id seen; null: ask the server where "now" is
  shown: new Set(),      // outbox ids already on the page
  inFlight: new Set(),   // ids of our messages waiting for their inline replies
  answered: new Set(),   // ids of our messages whose replies came inline
  trusted: true,         // this machine's demo page (picker and names); false: a remote session
  agent: '',             // the agent holding the conversation, for the name on their messages
  handoff: null,         // the last handoff state, to redraw the banner in another language
  lang: 'en',            // the page's language: 'en' or 'zh'
  generation: 0,         // bumped when the user changes name: late answers of the old name are dropped
  timer: null, polling: false, again: false,
};

const STRINGS = {
  en: {
    brand: 'web chat',
    speakingFor: 'Speaking for',
    supplierTitle: 'The demo supplier whose orders, invoices and stock you ask about',
    noSupplier: '(no supplier: a sales rep)',
    yourName: 'Your name',
    nameTitle: 'Your chat id: one conversation per name',
    console: 'Agent console ↗',
    chipsLabel: 'Example questions',
    try: 'Try:',
    message: 'Your message',
    send: 'Send',
    supplier: {
      title: 'Hi! I am opsbot, the assistant for our suppliers.',
      text: 'Ask me about your purchase orders, invoices and payments, your stock, or our policies, in English or Chinese. Pick a demo supplier at the top right, then try one of the questions below.',
      placeholder: 'Type a question, e.g. where is PO-1001?',
      chips: [
        'Where is PO-1001?', 'Has invoice INV-2002 been paid?', 'Which invoices are still open?',
        'How much stock of AB-1020 do I have?', 'What are your payment terms?', 'Can I talk to a real person?',
      ],
    },
    sales: {
      title: 'Hi! I am opsbot, the assistant for our sales team.',
      text: 'Ask me about a customer, the sales of a period, market trends, a product listing, a customer\'s industry or a demand forecast, in English or Chinese. Pick a demo supplier at the top right to ask as a supplier instead.',
      placeholder: 'Type a question, e.g. sales summary for last week',
      chips: [
        'Tell me about ACME Corp', 'Sales summary for last week', 'How are the market trends this month?',
        'Write a product listing for KX-550', 'Which industry is Globex in?', 'How many AB-1020 will we need next month?',
      ],
    },
    person: 'Want a person? Ask for one: an agent answers here, from the agent console.',
    ourTeam: 'Our team',
    supportTeam: 'support team',
    edited: 'edited message',
    assigned: (who) => 'You are chatting with ' + (who || 'a person') + ' from our team.',
    pending: 'A person will reply here soon. You can keep writing; write "cancel" to go back to the bot.',
    stillWorking: 'Still working on it: the answer will appear here.',
    unreachable: (err) => '⚠ could not reach the bot: ' + err,
    nowFor: (name) => 'You now speak for ' + name + '.',
    forNobody: 'You speak for no supplier: you ask as a sales rep.',
  },
  zh: {
    brand: '网页聊天',
    speakingFor: '代表供应商',
    supplierTitle: '您要查询其订单、发票和库存的演示供应商',
    noSupplier: '（不代表供应商：销售人员）',
    yourName: '您的名字',
    nameTitle: '您的聊天标识：每个名字一段对话',
    console: '客服控制台 ↗',
    chipsLabel: '示例问题',
    try: '试试：',
    message: '您的消息',
    send: '发送',
    supplier: {
      title: '您好！我是 opsbot，供应商的智能助手。',
      text: '您可以用中文或英文向我查询采购订单、发票和付款、库存，或我们的政策。请先在右上角选择一个演示供应商，再试试下面的问题。',
      placeholder: '请输入问题，例如：PO-1001 到哪了？',
      chips: [
        'PO-1001 到哪了？', '发票 INV-2002 付款了吗？', '我还有哪些未付发票？',
        'AB-1020 还有多少库存？', '你们的付款条件是什么？', '我想找人工客服',
      ],
    },
    sales: {
      title: '您好！我是 opsbot，销售团队的智能助手。',
      text: '您可以用中文或英文向我查询客户信息、某段时间的销售、市场走势、商品描述、客户所属行业或需求预测。如需以供应商身份提问，请在右上角选择一个演示供应商。',
      placeholder: '请输入问题，例如：上周的销售汇总',
      chips: [
        '查一下 ACME Corp 客户', '上周的销售汇总', '本月的市场走势怎么样？',
        '给 KX-550 写一段商品描述', 'Globex 属于哪个行业？', 'AB-1020下个月要备多少货',
      ],
    },
    person: '需要人工服务？直接提出即可：客服同事会在这里回复您（来自客服控制台）。',
    ourTeam: '我们的同事',
    supportTeam: '客服团队',
    edited: '已编辑的消息',
    assigned: (who) => '您正在与我们团队的 ' + (who || '客服同事') + ' 对话。',
    pending: '客服同事很快会在这里回复您。您可以继续留言；发送“取消”即可回到机器人。',
    stillWorking: '正在处理，答案稍后会显示在这里。',
    unreachable: (err) => '⚠ 无法连接机器人：' + err,
    nowFor: (name) => '您现在代表 ' + name + '。',
    forNobody: '您现在不代表任何供应商：以销售人员身份提问。',
  },
};

function t(key) { return STRINGS[chat.lang][key]; }

// Off this machine the visitor is a supplier (a signed session; no picker): a supplier's questions.
function role() { return !chat.trusted || $('supplier').value ? 'supplier' : 'sales'; }

function browserLanguage() {
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages[0] : navigator.language;
  return /^zh\b/i.test(wanted || '') ? 'zh' : 'en';
}

function langKey() { return 'opsbot.lang.' + sender(); }

// The page in `lang`: its labels, the welcome, the chips of the role, the placeholder and the banner.
function applyLanguage(lang) {
  chat.lang = lang === 'zh' ? 'zh' : 'en';
  document.documentElement.lang = chat.lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll('[data-i18n-title]').forEach((node) => { node.title = t(node.dataset.i18nTitle); });
  document.querySelectorAll('[data-i18n-label]').forEach((node) => {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  });
  const words = t(role());
  $('welcome-title').textContent = words.title;
  $('welcome-text').textContent = words.text;
  $('welcome-person').textContent = t('person');
  $('text').placeholder = words.placeholder;
  const box = $('chips');
  box.querySelectorAll('.chip').forEach((chip) => chip.remove());
  words.chips.forEach((question) => {
    const chip = el('button', 'chip', question);
    chip.type = 'button';
    chip.addEventListener('click', () => send(question));
    box.appendChild(chip);
  });
  showHandoff(chat.handoff);
}

// A reply written in a language sets the page's: the conversation is in it now.
function followReply(reply) {
  if ((reply.language === 'en' || reply.language === 'zh') && reply.language !== chat.lang) {
    localStorage.setItem(langKey(), reply.language);
    applyLanguage(reply.language);
  }
}

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
  followReply(reply);
  if (fromAgent) div.appendChild(el('span', 'who', (chat.agent || t('ourTeam')) + ' · ' + t('supportTeam')));
  if (reply.edited) div.appendChild(el('span', 'who', t('edited')));
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
  chat.handoff = handoff || null;
  chat.agent = handoff && handoff.agent ? handoff.agent : '';
  if (!handoff) { banner.className = 'banner hidden'; return; }
  if (handoff.status === 'assigned') {
    banner.className = 'banner assigned';
    banner.textContent = t('assigned')(handoff.agent);
  } else {
    banner.className = 'banner pending';
    banner.textContent = t('pending');
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
      addNotice(t('stillWorking'));
      if (cursorAtSend !== null && (chat.cursor === null || cursorAtSend < chat.cursor)) chat.cursor = cursorAtSend;
    } else if (data.error) {
      addNotice('⚠ ' + data.error);
    } else {
      chat.answered.add(id);
      (data.replies || []).forEach(addReply);
    }
  } catch (err) {
    addNotice(t('unreachable')(err));
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
    chat.trusted = Boolean(data.trusted);
    if (!chat.trusted) {  // the server names the conversation (a session cookie): no picker, no name
      $('supplier-label').classList.add('hidden');
      $('sender-label').classList.add('hidden');
      applyLanguage(chat.lang);
      return;
    }
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
  applyLanguage(chat.lang);  // the chips of the role the picker now says
}

function startConversation() {
  chat.generation += 1;
  chat.cursor = null;
  chat.shown.clear(); chat.answered.clear(); chat.inFlight.clear();
  $('log').querySelectorAll('.msg').forEach((node) => node.remove());
  $('welcome').classList.remove('hidden');
  showHandoff(null);
  applyLanguage(localStorage.getItem(langKey()) || browserLanguage());
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
    addNotice(picker.value ? t('nowFor')(picker.selectedOptions[0].textContent) : t('forNobody'));
    applyLanguage(chat.lang);  // the chips of the new role
  });
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('text');
    const text = input.value.trim();
    if (text) { send(text); input.value = ''; }
  });
  applyLanguage(localStorage.getItem(langKey()) || browserLanguage());
  loadSuppliers();
  poll();
});

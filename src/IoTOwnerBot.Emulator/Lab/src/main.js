// The local lab: a page over the emulator's admin API. Every view reloads its data every second and re-renders
// only what changed, so the incident, the inbox and the chat follow the bot live.
import { renderCard } from "./cards.js";

const POLL_MS = 1000;

// ---------------------------------------------------------------- helpers

/** Builds an element: h("div.a.b", {attr}, children…). Text is always set as text, never as HTML. */
function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(path, init) {
  const response = await fetch(path, {
    ...init,
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) },
    cache: "no-store",
  });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = new Error(body?.error?.message ?? `${response.status} ${response.statusText} (${path})`);
    error.status = response.status;
    throw error;
  }
  return body;
}

const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body ?? {}) });
const enc = encodeURIComponent;

function when(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

const badge = (kind, text) => h(`span.badge.${kind}-${String(text).toLowerCase()}`, { "data-test": kind }, text);

function link(href, text, attrs) {
  return h("a", { href, ...attrs }, text);
}

let samplesCache = null;
async function samples() {
  samplesCache ??= await api("/admin/samples");
  return samplesCache;
}

// Clicks in flight and their outcomes, kept across re-renders (by message id).
const clickState = new Map();

// ---------------------------------------------------------------- views
// A view is { title, load(): Promise<data>, render(data): Node }. It is re-rendered when load() returns other data.

const views = {
  incidents: () => ({
    title: "Incidents",
    async load() {
      const [incidents, list, faults, users] = await Promise.all([api("/admin/incidents"), samples(), api("/admin/faults"), api("/admin/users")]);
      return { incidents, samples: list, faults, users };
    },
    render: renderIncidents,
  }),
  incident: (name) => ({
    title: "Incident",
    async load() {
      const [details, list, requests] = await Promise.all([
        api(`/admin/incidents/${enc(name)}`),
        samples(),
        api(`/admin/requests?pathContains=${enc(name)}`),
      ]);
      let questions;
      try {
        questions = await api(`/lab/api/questions?incidentId=${enc(details.incident.id)}`);
      } catch (e) {
        questions = { error: e.message };
      }
      return { details, samples: list, requests, questions };
    },
    render: renderIncident,
  }),
  mail: (address, messageId) => ({
    title: "Mailboxes",
    async load() {
      const mailboxes = await api("/admin/mailboxes");
      if (!address) return { mailboxes };
      const mailbox = await api(`/admin/mailboxes/${enc(address)}`);
      const selected = messageId ?? mailbox.messages.at(-1)?.id;
      let card = null;
      if (selected) {
        try {
          card = await api(`/admin/mailboxes/${enc(address)}/messages/${enc(selected)}/card`);
        } catch (e) {
          if (e.status !== 404) throw e;
        }
      }
      return { mailboxes, address, mailbox, selected, card, click: clickState.get(selected) ?? null };
    },
    render: renderMail,
  }),
  teams: (user) => ({
    title: "Teams",
    async load() {
      let chats;
      try {
        chats = await api("/admin/teams");
      } catch (e) {
        if (e.status === 404) return { unsupported: true };
        throw e;
      }
      if (!user) return { chats };
      let chat = null;
      try {
        chat = await api(`/admin/teams/${enc(user)}`);
      } catch (e) {
        if (e.status !== 404) throw e;
      }
      const clicks = Object.fromEntries((chat?.messages ?? []).map((m) => [m.id, clickState.get(m.id) ?? null]));
      return { chats, user, chat, clicks };
    },
    render: renderTeams,
  }),
  soc: () => ({
    title: "SOC channel",
    async load() {
      let channels;
      try {
        channels = await api("/admin/teams/channels");
      } catch (e) {
        if (e.status === 404) return { unsupported: true };
        throw e;
      }
      const channel = channels[0];
      const clicks = Object.fromEntries((channel?.threads ?? []).map((t) => [t.root.id, clickState.get(t.root.id) ?? null]));
      return { channel, clicks, asUser: socClicker.value ?? channel?.members?.[0]?.userPrincipalName };
    },
    render: renderSoc,
  }),
};

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case "incidents":
      return parts[1] ? { tab: "incidents", view: views.incident(parts[1]) } : { tab: "incidents", view: views.incidents() };
    case "mail":
      return { tab: "mail", view: views.mail(parts[1], parts[2]) };
    case "teams":
      return { tab: "teams", view: views.teams(parts[1]) };
    case "soc":
      return { tab: "soc", view: views.soc() };
    default:
      return { tab: "incidents", view: views.incidents() };
  }
}

// ---------------------------------------------------------------- incidents

function renderIncidents({ incidents, samples: list, faults, users }) {
  const sorted = [...incidents].sort((a, b) => b.properties.incidentNumber - a.properties.incidentNumber);
  return h("div.columns",
    h("section.panel.side",
      h("h2", "Raise a sample incident"),
      h("p.hint", "Defender for IoT raises it in Sentinel; the bot's poller picks it up within seconds and asks the device's owners."),
      list.map((s) => h("div.sample", { "data-sample": s.name },
        h("div.sample-head", h("strong", s.title), badge("severity", s.severity)),
        h("div.hint", s.productNames.join(", ")),
        h("ul.devices", s.devices.map((d) => h("li", `${d.deviceName ?? "(no name)"} — ${d.owners.length ? d.owners.join(", ") : "no owner"}`))),
        h("button.primary", { "data-test": "raise", onclick: () => raise(s.name) }, "Raise"))),
      renderMailboxSwitch(users),
      renderFaults(faults)),
    h("section.panel.main",
      h("h2", "Microsoft Sentinel incidents"),
      sorted.length === 0
        ? h("p.empty", "No incidents yet. Raise one from a sample.")
        : h("table.grid", { "data-test": "incident-table" },
          h("thead", h("tr", ["#", "Title", "Severity", "Status", "Labels", "Comments", "Created"].map((c) => h("th", c)))),
          h("tbody", sorted.map((i) => {
            const p = i.properties;
            return h("tr.clickable", { "data-incident": i.name, onclick: () => (location.hash = `#/incidents/${enc(i.name)}`) },
              h("td", p.incidentNumber),
              h("td", link(`#/incidents/${enc(i.name)}`, p.title)),
              h("td", badge("severity", p.severity)),
              h("td", badge("status", p.status)),
              h("td", p.labels.map((l) => h("span.label", l.labelName))),
              h("td", p.additionalData?.commentsCount ?? 0),
              h("td", when(p.createdTimeUtc)));
          })))));
}

async function raise(sample) {
  const raised = await post("/admin/incidents", { sample });
  location.hash = `#/incidents/${enc(raised.incident.name)}`;
}

const mailboxForm = { user: "maria.garcia@contoso.example" };

/** E-mail that cannot be delivered: an owner without a mailbox is asked in Teams straight away. */
function renderMailboxSwitch(users) {
  const people = users.filter((u) => u.userPrincipalName !== "iotownerbot@contoso.example")
    .sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
  const select = h("select", { "aria-label": "owner", "data-test": "mailbox-user" },
    people.map((u) => h("option", { value: u.userPrincipalName, selected: u.userPrincipalName === mailboxForm.user },
      `${u.userPrincipalName}${u.mail ? "" : " (no mailbox)"}`)));
  select.addEventListener("change", () => { mailboxForm.user = select.value; refreshNow(); });
  const chosen = people.find((u) => u.userPrincipalName === mailboxForm.user);
  const toggle = async () => {
    await post("/admin/users", { userPrincipalName: chosen.userPrincipalName, mail: chosen.mail ? null : chosen.userPrincipalName });
    refreshNow();
  };
  return h("div.faults",
    h("h3", "Let e-mail fail"),
    h("p.hint", "Without a mailbox, Graph refuses the bot's e-mail, and the bot asks the owner in Teams instead. Change this before raising the incident."),
    h("div.row", select, " ", chosen ? h("button", { "data-test": "mailbox-toggle", onclick: toggle }, chosen.mail ? "Remove mailbox" : "Give back mailbox") : null));
}

const faultForm = { path: "sendMail", status: "404", times: 1 };

function renderFaults(faults) {
  const path = h("input", { value: faultForm.path, size: 12, "aria-label": "path contains", "data-test": "fault-path", oninput: (e) => (faultForm.path = e.target.value) });
  const status = h("select", { "aria-label": "status", "data-test": "fault-status" },
    [["404", "404 (no mailbox)"], ["400", "400"], ["429", "429 (throttled)"], ["500", "500"], ["503", "503"]].map(([v, t]) => h("option", { value: v, selected: v === faultForm.status }, t)));
  status.addEventListener("change", () => (faultForm.status = status.value));
  const times = h("input", { type: "number", value: faultForm.times, oninput: (e) => (faultForm.times = e.target.value), min: 1, max: 100, size: 3, "aria-label": "times", "data-test": "fault-times" });
  return h("div.faults",
    h("h3", "Make Microsoft's side fail"),
    h("p.hint", "The next matching requests from the bot get this answer — throttling (429), server errors, refusals — and you can watch the bot retry and carry on."),
    h("div.row", "Path contains ", path),
    h("div.row", "Status ", status, " × ", times, " ",
      h("button", { "data-test": "add-fault", onclick: async () => {
        await post("/admin/faults", { pathContains: path.value, status: Number(status.value), times: Number(times.value) });
        refreshNow();
      } }, "Add fault")),
    faults.length === 0 ? null : h("ul.fault-list", { "data-test": "faults" },
      faults.map((f) => h("li", `${f.spec.method ?? "any"} *${f.spec.pathContains ?? ""}* → ${f.spec.status ?? "delay"}: ${f.remaining} left, ${f.hits} hit`))),
    faults.length === 0 ? null : h("button", { onclick: async () => { await api("/admin/faults", { method: "DELETE" }); refreshNow(); } }, "Clear faults"));
}

function renderIncident({ details, samples: list, requests, questions }) {
  const { incident, comments } = details;
  const p = incident.properties;
  const sample = list.find((s) => s.name === details.sample);
  const owners = [...new Set((sample?.devices ?? []).flatMap((d) => d.owners))];
  const sortedComments = [...comments].sort((a, b) => new Date(b.properties.createdTimeUtc) - new Date(a.properties.createdTimeUtc));
  return h("div.columns",
    h("section.panel.main", { "data-test": "incident", "data-incident": incident.name },
      h("p", link("#/incidents", "← All incidents")),
      h("h2", `Incident ${p.incidentNumber}: ${p.title}`),
      p.description ? h("p.hint", p.description) : null,
      h("dl.facts",
        h("dt", "Status"), h("dd", badge("status", p.status)),
        h("dt", "Severity"), h("dd", badge("severity", p.severity)),
        p.classification ? [h("dt", "Classification"), h("dd", { "data-test": "classification" }, [p.classification, p.classificationReason].filter(Boolean).join(" / "))] : null,
        p.classificationComment ? [h("dt", "Classification comment"), h("dd", p.classificationComment)] : null,
        h("dt", "Labels"), h("dd", { "data-test": "labels" }, p.labels.length ? p.labels.map((l) => h("span.label", { title: l.labelType ?? "" }, l.labelName)) : "—"),
        h("dt", "Owner (SOC)"), h("dd", p.owner?.assignedTo ?? p.owner?.email ?? "Unassigned"),
        h("dt", "Products"), h("dd", (p.additionalData?.alertProductNames ?? []).join(", ")),
        h("dt", "Created"), h("dd", when(p.createdTimeUtc)),
        h("dt", "Last modified"), h("dd", when(p.lastModifiedTimeUtc))),
      h("h3", `Comments (${comments.length})`),
      sortedComments.length === 0
        ? h("p.empty", "No comments yet. The bot comments once it has found the owners.")
        : h("ol.comments", { "data-test": "comments" }, sortedComments.map((c) => h("li.comment",
          h("div.comment-head", h("strong", c.properties.author?.name ?? c.properties.author?.userPrincipalName ?? c.properties.author?.email ?? `app ${c.properties.author?.objectId ?? "unknown"}`), " · ", when(c.properties.createdTimeUtc)),
          h("div.comment-body", c.properties.message)))),
      renderQuestions(questions)),
    h("section.panel.side",
      h("h3", "Devices and owners"),
      (sample?.devices ?? []).map((d) => h("div.device",
        h("strong", d.deviceName ?? "(no name)"), d.deviceSubType ? h("span.hint", ` ${d.deviceSubType}`) : null,
        d.owners.length === 0 ? h("p.hint", "No owner anywhere: the bot asks the fallback contact, if configured.") : null)),
      owners.length ? h("ul.owners", owners.map((o) => h("li", o, " ",
        link(`#/mail/${enc(o)}`, "Inbox", { "data-test": "owner-inbox" }), " · ",
        link(`#/teams/${enc(o)}`, "Teams chat", { "data-test": "owner-chat" })))) : null,
      h("h3", "What the bot called for this incident"),
      h("p.hint", "Sentinel API calls naming this incident, as the emulator saw them."),
      requests.length === 0 ? h("p.empty", "Nothing yet.") : h("ol.journal", requests.slice(-40).map((r) =>
        h("li", h("code", `${r.method} ${shortPath(r.path)}`), " ", h(`span.status.s${String(r.status)[0]}xx`, r.status))))));
}

function renderQuestions(questions) {
  const title = h("h3", { id: "timeline" }, "The bot's question and its timeline");
  if (questions?.error) return h("div", title, h("p.empty", `The service's SOC API did not answer: ${questions.error}`));
  if (!questions?.length) return h("div", title, h("p.empty", "The bot has not taken up this incident yet (its poller reads Sentinel every few seconds)."));
  return h("div", { "data-test": "questions" }, title, questions.map((q) => h("div.question",
    h("div.question-head", badge("question", q.state), ` Round ${q.round}`,
      q.answer ? ` · answered ${q.answer} by ${q.answeredBy} in ${q.answerChannel} at ${when(q.answeredAt)}` : "",
      q.expiresAt && !q.answer ? ` · answer by ${when(q.expiresAt)}` : ""),
    h("div.hint", "Asked: ", q.recipients.map((r) => `${r.displayName ?? r.address} (${r.source})`
      + (r.emailDueAt ? ` \u2014 e-mail waits for its slot in the sender's budget until ${new Date(r.emailDueAt).toLocaleTimeString()}` : "")).join(", ") || "nobody"),
    h("ol.timeline", { "data-test": "timeline" }, q.timeline.map((t) => h("li",
      h("span.when", new Date(t.at).toLocaleTimeString()), " ", h("code", t.kind), " ", h("span.hint", t.actor), h("div", t.message)))))));
}

function shortPath(path) {
  const at = path.indexOf("/providers/Microsoft.SecurityInsights/");
  return at >= 0 ? "…" + path.slice(at + "/providers/Microsoft.SecurityInsights".length) : path;
}

// ---------------------------------------------------------------- Outlook

function renderMail(data) {
  const { mailboxes } = data;
  const list = h("nav.panel.list",
    h("h2", "Mailboxes"),
    h("ul", mailboxes.filter((m) => !m.isExternal || m.messageCount > 0)
      .sort((a, b) => a.address.localeCompare(b.address))
      .map((m) => h("li", { class: m.address === data.address ? "active" : "" },
        link(`#/mail/${enc(m.address)}`, m.address, { "data-mailbox": m.address }),
        m.messageCount ? h("span.count", m.messageCount) : null))));
  if (!data.address) return h("div.columns.mail", list, h("section.panel.main", h("p.empty", "Pick a mailbox.")));

  const messages = [...data.mailbox.messages].reverse();
  const selected = data.mailbox.messages.find((m) => m.id === data.selected);
  return h("div.columns.mail", list,
    h("section.panel.messages",
      h("h2", data.address),
      messages.length === 0 ? h("p.empty", "Inbox is empty.") : h("ul.message-list", messages.map((m) =>
        h("li", { class: m.id === data.selected ? "active" : "" },
          h("a", { href: `#/mail/${enc(data.address)}/${enc(m.id)}`, "data-message": m.id },
            h("div.from", m.from?.name ?? m.from?.address ?? ""),
            h("div.subject", m.subject),
            h("div.hint", when(m.receivedAt))))))),
    h("section.panel.reading.outlook", { "data-test": "reading-pane" },
      selected ? renderMessage(data, selected) : h("p.empty", "No message selected.")));
}

function renderMessage(data, message) {
  const address = data.address;
  const head = h("header.message-head",
    h("h2", message.subject),
    h("div", h("strong", message.from?.name ?? ""), ` <${message.from?.address ?? ""}>`),
    h("div.hint", `To: ${message.to.map((t) => t.address ?? t).join(", ")} · ${when(message.receivedAt)}`));
  if (!data.card) {
    return h("div", head, h("iframe.body", { sandbox: "", srcdoc: message.body, title: "message body" }));
  }
  const click = data.click;
  const { element, warnings } = renderCard(data.card, "outlook", async (action) => {
    if (action.kind !== "http") {
      clickState.set(message.id, { error: `Outlook does nothing with ${action.kind} in an actionable message.` });
      return refreshNow();
    }
    clickState.set(message.id, { busy: action.title });
    refreshNow();
    try {
      const result = await post(`/admin/mailboxes/${enc(address)}/messages/${enc(message.id)}/actions`, { title: action.title, asUser: address, inputs: action.inputs });
      clickState.set(message.id, { result });
    } catch (e) {
      clickState.set(message.id, { error: e.message });
    }
    refreshNow();
  });
  return h("div", head,
    h("div.card-frame.outlook-card", { "data-test": "card", "data-host": "outlook" }, element),
    click?.busy ? h("div.action-status.busy", `Sending "${click.busy}"…`) : null,
    click?.result ? h(`div.action-status${click.result.status >= 400 ? ".error" : ""}`, { "data-test": "action-status" },
      click.result.cardActionStatus ?? (click.result.status < 300 ? "Done." : `The action could not be completed (${click.result.status}).`),
      click.result.status >= 400 && click.result.responseBody ? h("pre.response", click.result.responseBody) : null) : null,
    click?.error ? h("div.action-status.error", click.error) : null,
    warnings.length ? h("details.warnings", h("summary", `${warnings.length} renderer warning(s)`), h("ul", warnings.map((w) => h("li", w)))) : null,
    h("details.raw", h("summary", "HTML body (what mail clients without cards show)"),
      h("iframe.body", { sandbox: "", srcdoc: message.body, title: "message body" })));
}

// ---------------------------------------------------------------- Teams

function renderTeams(data) {
  if (data.unsupported) {
    return h("section.panel.main", h("h2", "Teams"), h("p.empty", "This emulator build has no Teams (Bot Connector) emulation."));
  }
  const list = h("nav.panel.list",
    h("h2", "Chats with the bot"),
    data.chats.length === 0 ? h("p.empty", "The bot has not written to anyone in Teams yet.") : h("ul", data.chats.map((c) => {
      const who = c.userPrincipalName ?? c.userId;
      return h("li", { class: who === data.user ? "active" : "" },
        link(`#/teams/${enc(who)}`, who, { "data-chat": who }), h("span.count", c.messages.length));
    })));
  if (!data.user) return h("div.columns.teams", list, h("section.panel.main", h("p.empty", "Pick a chat.")));
  const chat = data.chat;
  return h("div.columns.teams", list,
    h("section.panel.chat.teams-chat", { "data-test": "chat" },
      h("h2", `IoT Owner Bot · ${data.user}`),
      !chat ? h("p.empty", "The bot has no chat with this user yet (it writes in Teams when e-mail fails).")
        : chat.messages.map((m) => renderActivity(data.user, m, data.clicks[m.id]))));
}

function renderActivity(user, message, click) {
  const activity = message.activity;
  const card = (activity.attachments ?? []).find((a) => a.contentType === "application/vnd.microsoft.card.adaptive")?.content;
  const body = [];
  if (activity.text) body.push(h("div.text", activity.text));
  if (card) {
    const { element, warnings } = renderCard(card, "teams", async (action) => {
      if (action.kind !== "execute") {
        clickState.set(message.id, { error: `Teams sends ${action.kind} as a message, not as an adaptiveCard/action invoke.` });
        return refreshNow();
      }
      clickState.set(message.id, { busy: action.title });
      refreshNow();
      try {
        const result = await post(`/admin/teams/${enc(user)}/messages/${enc(message.id)}/actions`, { verb: action.verb, data: action.data });
        clickState.set(message.id, { result });
      } catch (e) {
        clickState.set(message.id, { error: e.message });
      }
      refreshNow();
    });
    body.push(h("div.card-frame.teams-card", { "data-test": "card", "data-host": "teams" }, element));
    if (warnings.length) body.push(h("details.warnings", h("summary", `${warnings.length} renderer warning(s)`), h("ul", warnings.map((w) => h("li", w)))));
  }
  if (click?.busy) body.push(h("div.action-status.busy", `Sending "${click.busy}"…`));
  if (click?.error) body.push(h("div.action-status.error", click.error));
  return h("div.bubble", { "data-activity": message.id },
    h("div.bubble-head", h("strong", activity.from?.name ?? "IoT Owner Bot"), " ", h("span.hint", when(message.updatedAt ?? message.createdAt)),
      message.updateCount ? h("span.hint", " · Edited") : null),
    body);
}

// ---------------------------------------------------------------- SOC channel

// Which team member clicks the SOC cards (kept across re-renders).
const socClicker = { value: null };

function renderSoc(data) {
  if (data.unsupported || !data.channel) {
    return h("section.panel.main", { "data-test": "soc" }, h("h2", "SOC channel thread"),
      h("p.empty", "This emulator build has no Teams channels."));
  }
  const channel = data.channel;
  const picker = h("select", { "data-test": "soc-clicker", onchange: (e) => { socClicker.value = e.target.value; refreshNow(); } },
    channel.members.map((m) => h("option", { value: m.userPrincipalName, selected: m.userPrincipalName === data.asUser }, `${m.displayName} (${m.userPrincipalName})`)));
  return h("section.panel.chat.teams-chat", { "data-test": "soc" },
    h("h2", `${channel.teamName} › ${channel.channelName}`),
    h("p.hint", "Buttons are clicked as ", picker,
      ". Only people in SocThread:Members may cancel or re-ask; anyone else is refused and reported on the incident."),
    channel.threads.length === 0
      ? h("p.empty", "No thread yet: the bot starts one per incident when it creates the question (SocThread:Enabled).")
      : channel.threads.slice().reverse().map((t) => renderThread(channel, t, data.clicks[t.root.id], data.asUser)));
}

function renderThread(channel, thread, click, asUser) {
  const root = thread.root;
  const card = (root.activity.attachments ?? []).find((a) => a.contentType === "application/vnd.microsoft.card.adaptive")?.content;
  const parts = [];
  if (card) {
    const { element } = renderCard(card, "teams", async (action) => {
      if (action.kind !== "execute") return;
      clickState.set(root.id, { busy: action.title });
      refreshNow();
      try {
        const result = await post(`/admin/teams/channels/${enc(channel.channelId)}/messages/${enc(root.id)}/actions`,
          { verb: action.verb, data: action.data, asUser });
        const status = result.body?.statusCode ?? result.status;
        clickState.set(root.id, status >= 400 ? { error: result.body?.value?.message ?? `Refused (${status}).` } : {});
      } catch (e) {
        clickState.set(root.id, { error: e.message });
      }
      refreshNow();
    });
    parts.push(h("div.card-frame.teams-card", { "data-test": "card", "data-host": "teams" }, element));
  }
  if (click?.busy) parts.push(h("div.action-status.busy", `Sending "${click.busy}"…`));
  if (click?.error) parts.push(h("div.action-status.error", { "data-test": "action-status" }, click.error));
  return h("div.bubble", { "data-thread": thread.conversationId },
    h("div.bubble-head", h("strong", "IoT Owner Bot"), " ", h("span.hint", when(root.updatedAt ?? root.createdAt)),
      root.updateCount ? h("span.hint", ` · Edited (${root.updateCount})`) : null),
    parts,
    h("details.replies", { open: true }, h("summary", `${thread.replies.length} replies`),
      h("ul", thread.replies.map((r) => h("li", { "data-activity": r.id }, h("span.hint", when(r.createdAt)), " ", r.activity.text ?? "")))));
}

// ---------------------------------------------------------------- shell

const root = document.getElementById("view");
const liveDot = document.getElementById("live");
let current = null;
let generation = 0;

async function refresh(force = false) {
  const mine = current;
  const gen = generation;
  try {
    const data = await mine.view.load();
    if (mine !== current || gen !== generation) return;
    const json = JSON.stringify(data);
    if (force || json !== mine.last) {
      mine.last = json;
      const scroll = window.scrollY;
      root.replaceChildren(mine.view.render(data));
      window.scrollTo(0, scroll);
    }
    liveDot.textContent = `live · ${new Date().toLocaleTimeString()}`;
    liveDot.className = "live ok";
  } catch (e) {
    if (mine !== current) return;
    liveDot.textContent = `offline: ${e.message}`;
    liveDot.className = "live error";
  }
}

function refreshNow() {
  generation++;
  return refresh(true);
}

function navigate() {
  const r = route();
  current = { ...r, last: null };
  document.title = `${r.view.title} · IoTOwnerBot lab`;
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.dataset.tab === r.tab);
  root.replaceChildren(h("p.empty", "Loading…"));
  refreshNow();
}

window.addEventListener("hashchange", navigate);
navigate();
setInterval(() => {
  if (!document.hidden) refresh();
}, POLL_MS);

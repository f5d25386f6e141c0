#!/usr/bin/env node
// A small Open Connectors-style poller in node, for `cwmock judge` (docs/contract-suite/live-judge.md).
//
// It runs as a service on its own timer: every --interval seconds of its own clock it polls each resource of the
// instance's `event.poller.configuration` through the hub, from its last window's start minus an overlap, reads every
// page, turns each record it has not delivered yet into an event, and POSTs Open Connectors notifications (at most
// 10 events each, signed with `Elements-Webhook-Signature` when the instance has a signature key) to the callback
// URL. A notification is written to its state before it is sent, and re-sent with the same id and bytes until the
// receiver accepts it. Its window starts (its pollDate) when it sends the window's first request, by its own clock;
// the overlap covers a clock that drifts from the server's.
//
//   node examples/node-poller/poller.mjs [--interval SECONDS] [--overlap SECONDS] [--timeout SECONDS] [--lossy]
//
// --lossy makes it forget updates: it remembers delivered records by id alone, so an update to a contact it has
// already delivered is never sent (the judge reports it MISSING). Node 18 or later; no dependencies.
//
// Its environment is what `cwmock judge` gives a service: CWMOCK_INSTANCE (the instance JSON), CWMOCK_HUB_URL,
// CWMOCK_HUB_AUTH, CWMOCK_STATE_DIR, CWMOCK_START.

import { createHmac } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: {
    interval: { type: "string", default: "1" },
    overlap: { type: "string", default: "300" },
    timeout: { type: "string", default: "30" },
    lossy: { type: "boolean", default: false },
  },
});
const INTERVAL_MS = seconds("--interval", options.interval) * 1000;
const OVERLAP_MS = seconds("--overlap", options.overlap) * 1000;
const TIMEOUT_MS = seconds("--timeout", options.timeout) * 1000;
const PAGE_SIZE = 200;
const MAX_EVENTS = 10;
const ELEMENT_KEY = "connectwisecrmrest";
const PLACEHOLDER = /\$\{gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'\}/g;

function seconds(name, text) {
  const value = Number(text);
  if (!(value > 0)) fail(`${name} ${text}: give a positive number of seconds`);
  return value;
}

function fail(message) {
  console.error(`node poller: ${message}`);
  process.exit(2);
}

function required(name) {
  const value = process.env[name];
  if (!value) fail(`${name} is not set; run me with cwmock judge -- node ${process.argv[1]}`);
  return value;
}

const instance = JSON.parse(readFileSync(required("CWMOCK_INSTANCE"), "utf8"));
const configuration = instance.configuration;
const hubUrl = required("CWMOCK_HUB_URL");
const hubAuth = required("CWMOCK_HUB_AUTH");
const statePath = join(required("CWMOCK_STATE_DIR"), "node-poller.json");
// s0, the instance's createdDate: a record stamped at or before it predates the instance and gets no event.
const start = Date.parse(required("CWMOCK_START"));
const callbackUrl = configuration["event.notification.callback.url"];
const signatureKey = configuration["event.notification.signature.key"];
let resources = configuration["event.poller.configuration"];
if (typeof resources === "string") resources = JSON.parse(resources);

// What survives a restart: where the next window reads from, what was delivered, what is still to send.
let state = existsSync(statePath)
  ? JSON.parse(readFileSync(statePath, "utf8"))
  : { cursor: required("CWMOCK_START"), delivered: {}, pending: [], notifications: 0 };

function save() {
  writeFileSync(`${statePath}.tmp`, JSON.stringify(state));
  renameSync(`${statePath}.tmp`, statePath); // atomic: a stop mid-write never leaves half a state
}

// `yyyy-MM-dd'T'HH:mm:ss'Z'` in UTC, as events carry `date` and `pollDate`.
function eventInstant(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Java's Date.toString() on a JVM running on UTC: `Fri Feb 21 16:43:41 UTC 2020`.
function javaDateString(date) {
  const [weekday, day, month, year, time] = date.toUTCString().replace(",", "").split(" ");
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}

function dotted(record, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), record);
}

function render(template, from) {
  const [path, query = ""] = template.replace(PLACEHOLDER, eventInstant(from)).split("?");
  if (path.includes("${")) fail(`only \${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'} is understood in ${template}`);
  const pairs = query.split("&").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
  });
  pairs.push(["pageSize", String(PAGE_SIZE)]);
  return { path, pairs };
}

async function get(path, pairs) {
  const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const response = await fetch(`${hubUrl}${path}?${query}`, {
    headers: { Authorization: hubAuth, Accept: "application/json" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text(); // read to the end: a cut body throws here
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 200)}`);
  return { records: JSON.parse(text), response };
}

// Every record of one resource from `from`, every page read.
async function fetchAll(resource, from) {
  const { path, pairs } = render(resource.url, from);
  const records = [];
  let token = null;
  for (;;) {
    const { records: page, response } = await get(path, token ? [...pairs, ["nextPage", token]] : pairs);
    records.push(...page);
    token = response.headers.get("elements-next-page-token");
    if (page.length < PAGE_SIZE || !token) return records;
  }
}

function notification(number, objectType, pollDate, found) {
  const instanceId = instance.id;
  const message = {
    elementKey: ELEMENT_KEY,
    eventId: `node-${instanceId}-${number}`,
    instanceId,
    instance_id: instanceId,
    instanceName: instance.name ?? "",
  };
  if ((instance.tags ?? []).length) message.instanceTags = instance.tags;
  message.raw = { [objectType]: found.map((f) => f.record), pollDate: pollDate.getTime(), objectType };
  message.events = found.map((f) => ({
    date: eventInstant(f.date),
    elementKey: ELEMENT_KEY,
    pollDate: eventInstant(pollDate),
    eventType: f.eventType,
    hubKey: "crm",
    objectId: f.id,
    objectType,
  }));
  return {
    severity: "medium",
    createdDate: javaDateString(pollDate),
    topic: `instance-${instanceId}-${ELEMENT_KEY}-events`,
    action: "create",
    id: String(number),
    message,
    user: "notifications@cloud-elements.com",
  };
}

function versionsOf(objectType, resource, records) {
  const dates = resource.datesConfiguration ?? {};
  const updatedField = dates.updatedDateField ?? "_info.lastUpdated";
  const createdField = dates.createdDateField ?? updatedField;
  const found = [];
  for (const record of records) {
    const id = dotted(record, resource.idField ?? "id");
    const stamp = dotted(record, updatedField);
    if (id == null || stamp == null || !(Date.parse(stamp) > start)) continue;
    const key = options.lossy ? `${objectType}:${id}` : `${objectType}:${id}:${stamp}`;
    if (state.delivered[key]) continue;
    state.delivered[key] = true;
    const created = dotted(record, createdField);
    const eventType = created != null && Date.parse(created) === Date.parse(stamp) ? "CREATED" : "UPDATED";
    found.push({ id: String(id), record, date: new Date(stamp), eventType });
  }
  return found;
}

async function pollOnce() {
  const from = new Date(Date.parse(state.cursor) - OVERLAP_MS);
  const windowStart = new Date(Math.floor(Date.now() / 1000) * 1000); // pollDate: whole seconds, as events show it
  const fresh = [];
  for (const [objectType, resource] of Object.entries(resources)) {
    const records = await fetchAll(resource, from); // a failure ends the window: nothing moves
    fresh.push([objectType, resource, records]);
  }
  for (const [objectType, resource, records] of fresh) {
    const found = versionsOf(objectType, resource, records);
    for (let at = 0; at < found.length; at += MAX_EVENTS) {
      state.notifications += 1;
      const body = JSON.stringify(notification(state.notifications, objectType, windowStart, found.slice(at, at + MAX_EVENTS)));
      state.pending.push({ id: `node-${instance.id}-${state.notifications}`, body });
    }
  }
  state.cursor = windowStart.toISOString();
  save(); // written before sending: a notification is never lost, and re-sent with the same id and bytes
}

async function deliverPending() {
  while (state.pending.length) {
    const { id, body } = state.pending[0];
    const headers = { "Content-Type": "application/json", "Elements-Webhook-Id": id };
    if (signatureKey) headers["Elements-Webhook-Signature"] = "sha256=" + createHmac("sha256", String(signatureKey)).update(body).digest("base64");
    const response = await fetch(callbackUrl, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the receiver answered ${response.status} to notification ${id}`);
    state.pending.shift();
    save();
  }
}

async function tick() {
  try {
    await pollOnce();
  } catch (error) {
    console.error(`node poller: window failed, retrying next tick: ${error.cause?.code ?? ""} ${error.message}`);
  }
  try {
    await deliverPending();
  } catch (error) {
    console.error(`node poller: delivery failed, retrying next tick: ${error.cause?.code ?? ""} ${error.message}`);
  }
  setTimeout(tick, INTERVAL_MS);
}

process.on("SIGTERM", () => process.exit(0));
console.error(`node poller: instance ${instance.id}, every ${INTERVAL_MS / 1000} s${options.lossy ? " (lossy)" : ""}`);
tick();

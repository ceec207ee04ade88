'use strict';
// Many devices in one process, each its own Azure IoT Node.js SDK Client with its own MQTT connection, driven by a
// JSON scenario from the integration tests. A job test needs tens of devices; one Node process per device would
// start tens of runtimes on a small machine, so they share one event loop here, as a gateway application would.
//
// Scenario:
//   devices:   [{ id, connectionString }]
//   offline:   ids that do not connect until the test writes {"connect":[ids]} as one line on stdin
//   ack:       { code, description, delayMs }  Plug and Play acknowledgement of writable properties (absent: none)
//   acks:      { id: { code, description, delayMs } }  a device's own acknowledgement
//   methods:   { name: { status, payload, delayMs } }  how every device answers a command
//   answers:   { id: { name: { status, payload, delayMs } } }  a device's own answer
// Output: one JSON object per line, each with the device id and the time (ms since the epoch) it happened:
//   open, ready (twin read and listeners set), desired, acked, method (one per invocation), method-answered,
//   disconnect, error, open-error. The process ends when stdin closes.
const { Client } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');
const readline = require('readline');

const scenario = JSON.parse(process.argv[2]);
const emit = (device, event, fields) => process.stdout.write(JSON.stringify({ event, device, t: Date.now(), ...fields }) + '\n');
const clients = new Map();

function acknowledgement(id) {
  return (scenario.acks && scenario.acks[id]) || scenario.ack || null;
}

function answer(id, name) {
  const own = scenario.answers && scenario.answers[id] && scenario.answers[id][name];
  return own || (scenario.methods && scenario.methods[name]) || null;
}

// The Plug and Play convention for writable properties (IoT Plug and Play conventions, "Writable properties"): the
// device reports { value, ac, av, ad } under the property's name, av being the desired $version it applied.
function acknowledge(id, twin, desired, ack) {
  const version = desired.$version;
  const patch = {};
  for (const [key, value] of Object.entries(desired)) {
    if (key.startsWith('$')) continue;
    if (value && typeof value === 'object' && value.__t === 'c') {
      patch[key] = {};
      for (const [inner, innerValue] of Object.entries(value)) {
        if (inner !== '__t') patch[key][inner] = { value: innerValue, ac: ack.code, av: version, ad: ack.description };
      }
    } else {
      patch[key] = { value, ac: ack.code, av: version, ad: ack.description };
    }
  }
  if (Object.keys(patch).length === 0) return;
  setTimeout(() => {
    // 'sent' is when the acknowledgement left the device, before the server can have read it.
    const sent = Date.now();
    twin.properties.reported.update(patch, (err) => emit(id, 'acked', { version, code: ack.code, sent, error: err ? err.message : null }));
  }, ack.delayMs || 0);
}

async function connect(device) {
  const client = Client.fromConnectionString(device.connectionString, Mqtt);
  clients.set(device.id, client);
  client.on('error', (err) => emit(device.id, 'error', { message: err && err.message }));
  client.on('disconnect', (err) => emit(device.id, 'disconnect', { message: err && err.message }));
  const names = new Set(Object.keys(scenario.methods || {}).concat(Object.keys((scenario.answers || {})[device.id] || {})));
  for (const name of names) {
    client.onDeviceMethod(name, (request, response) => {
      emit(device.id, 'method', { name, payload: request.payload, requestId: request.requestId });
      const behaviour = answer(device.id, name) || { status: 200 };
      setTimeout(() => {
        response.send(behaviour.status, behaviour.payload, (err) => emit(device.id, 'method-answered', { name, status: behaviour.status, error: err ? err.message : null }));
      }, behaviour.delayMs || 0);
    });
  }
  try {
    await client.open();
  } catch (err) {
    emit(device.id, 'open-error', { message: err.message });
    return;
  }
  emit(device.id, 'open');
  const ack = acknowledgement(device.id);
  if (ack) {
    const twin = await client.getTwin();
    twin.on('properties.desired', (desired) => {
      // The SDK also fires this with the twin's whole desired section when the listener is added: without a
      // property in it (only $version) there is nothing to apply.
      if (!Object.keys(desired).some((key) => !key.startsWith('$'))) return;
      emit(device.id, 'desired', { desired });
      acknowledge(device.id, twin, desired, ack);
    });
  }
  emit(device.id, 'ready');
}

const offline = new Set(scenario.offline || []);
const byId = new Map(scenario.devices.map((d) => [d.id, d]));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  for (const id of request.connect || []) {
    if (byId.has(id) && !clients.has(id)) connect(byId.get(id)).catch((err) => emit(id, 'fatal', { message: err && err.stack }));
  }
}).on('close', async () => {
  await Promise.all([...clients.values()].map((c) => c.close().catch(() => {})));
  process.exit(0);
});

// Connect a few at a time: tens of TLS handshakes at once only slow each other down.
(async () => {
  const online = scenario.devices.filter((d) => !offline.has(d.id));
  const parallel = scenario.parallel || 10;
  for (let i = 0; i < online.length; i += parallel) {
    await Promise.all(online.slice(i, i + parallel).map((d) => connect(d).catch((err) => emit(d.id, 'fatal', { message: err && err.stack }))));
  }
  emit(null, 'all-started');
})();

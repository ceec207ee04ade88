'use strict';
// One device built on the Azure IoT Node.js device SDK, driven by a JSON scenario from the integration tests.
// It prints one JSON object per line so the tests can follow it; it never decides pass or fail itself.
const { Client, ModuleClient, Message } = require('azure-iot-device');
const { Mqtt, MqttWs } = require('azure-iot-device-mqtt');
const { Amqp, AmqpWs } = require('azure-iot-device-amqp');

const scenario = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

require('./resolve')(scenario.resolve);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function message(spec) {
  // spec.padding: a JSON body of about that many bytes, built here (too large for a command line).
  const body = spec.padding ? { padding: 'x'.repeat(spec.padding) } : spec.body;
  const m = new Message(typeof body === 'string' ? body : JSON.stringify(body));
  if (spec.contentType) m.contentType = spec.contentType;
  if (spec.contentEncoding) m.contentEncoding = spec.contentEncoding;
  if (spec.messageId) m.messageId = spec.messageId;
  if (spec.correlationId) m.correlationId = spec.correlationId;
  if (spec.component) m.properties.add('$.sub', spec.component);
  for (const [key, value] of Object.entries(spec.properties || {})) m.properties.add(key, value);
  return m;
}

async function stream(client) {
  // Keeps `window` messages in flight; a message counts as acknowledged only when sendEvent resolved (PUBACK).
  // A failed send is retried with the same message id, as an application would after a connection loss.
  let next = 0;
  const window = scenario.window || 1;
  async function worker() {
    while (next < scenario.count) {
      const i = next++;
      const id = `${scenario.prefix}-${i}`;
      for (;;) {
        try {
          await client.sendEvent(message({ body: { seq: i, value: i * 0.5 }, contentType: 'application/json', contentEncoding: 'utf-8', messageId: id }));
          emit({ event: 'acked', id });
          break;
        } catch (err) {
          emit({ event: 'send-error', id, message: err.message });
          await sleep(200);
        }
      }
      if (scenario.intervalMs) await sleep(scenario.intervalMs);
    }
  }
  await Promise.all(Array.from({ length: window }, worker));
}

// A Plug and Play style device: twin, writable-property acknowledgements, commands and cloud-to-device messages,
// each only when the scenario asks for it (the SDK subscribes to a topic the first time its feature is used).
async function behave(client) {
  if (scenario.c2d) {
    client.on('message', (msg) => {
      const properties = {};
      for (let i = 0; i < msg.properties.count(); i++) {
        const item = msg.properties.getItem(i);
        properties[item.key] = item.value;
      }
      emit({ event: 'c2d', id: msg.messageId, body: msg.data.toString(), properties, expiry: msg.expiryTimeUtc || null });
      // scenario.c2dOutcomes: per message id, the settlement of each delivery in turn (complete, abandon, reject, or
      // none to leave it unsettled); complete once the list runs out.
      const outcomes = (scenario.c2dOutcomes || {})[msg.messageId] || [];
      const outcome = outcomes.length > 0 ? outcomes.shift() : 'complete';
      if (outcome === 'none') return;
      client[outcome](msg, (err) => emit({ event: 'c2d-settled', id: msg.messageId, outcome, error: err ? err.message : null }));
    });
  }
  for (const [name, behaviour] of Object.entries(scenario.methods || {})) {
    // A module client registers methods with onMethod, a device client with onDeviceMethod (azure-iot-device
    // module_client.ts, device_client.ts); both answer on the same IoT Hub method topics.
    const register = scenario.module ? client.onMethod.bind(client) : client.onDeviceMethod.bind(client);
    register(name, (request, response) => {
      emit({ event: 'method', name, payload: request.payload });
      if (behaviour.disconnect) {
        // Drop the connection without answering, as a device that loses its network mid-command.
        client.close(() => emit({ event: 'method-dropped', name }));
        return;
      }
      setTimeout(() => {
        response.send(behaviour.status, behaviour.payload, (err) => emit({ event: 'method-answered', name, error: err ? err.message : null }));
      }, behaviour.delayMs || 0);
    });
  }
  if (scenario.twin) {
    const twin = await client.getTwin();
    emit({ event: 'twin', desired: twin.properties.desired, reported: twin.properties.reported });
    if (scenario.desired) {
      twin.on('properties.desired', (delta) => {
        emit({ event: 'desired', delta });
        if (scenario.ack) {
          const patch = {};
          for (const [key, value] of Object.entries(delta)) {
            if (key === '$version') continue;
            if (value && typeof value === 'object' && value.__t === 'c') {
              // A component's writable properties are acknowledged inside the component, without the marker, as the
              // Plug and Play temperature controller sample does.
              patch[key] = {};
              for (const [inner, innerValue] of Object.entries(value)) {
                if (inner !== '__t') patch[key][inner] = { value: innerValue, ac: scenario.ack.code, av: delta.$version, ad: scenario.ack.description };
              }
            } else {
              patch[key] = { value, ac: scenario.ack.code, av: delta.$version, ad: scenario.ack.description };
            }
          }
          if (Object.keys(patch).length > 0) {
            twin.properties.reported.update(patch, (err) => emit({ event: 'acked', version: delta.$version, error: err ? err.message : null }));
          }
        }
      });
      if (scenario.confirmDesired) {
        // Asks for desired-property notifications once more and waits for the answer: over AMQP the answers come in
        // order on one link, so once this one is back the listener's own request has been served too.
        await new Promise((resolve, reject) => twin.enableTwinDesiredPropertiesUpdates((err) => (err ? reject(err) : resolve())));
        emit({ event: 'desired-enabled' });
      }
    }
    for (const patch of scenario.reports || []) {
      try {
        await new Promise((resolve, reject) => twin.properties.reported.update(patch, (err) => (err ? reject(err) : resolve())));
        emit({ event: 'reported' });
      } catch (err) {
        emit({ event: 'report-error', message: err.message });
      }
    }
    if (scenario.getTwinAgain) {
      const again = await client.getTwin();
      emit({ event: 'twin-again', desired: again.properties.desired, reported: again.properties.reported });
    }
  }
}

async function main() {
  const transport = { mqttws: MqttWs, amqp: Amqp, amqpws: AmqpWs }[scenario.transport] || Mqtt;
  // scenario.module: the connection string names a module (HostName=…;DeviceId=…;ModuleId=…;SharedAccessKey=…), and
  // the SDK's ModuleClient connects as that module, unchanged.
  const client = (scenario.module ? ModuleClient : Client).fromConnectionString(scenario.connectionString, transport);
  if (scenario.tokenRenewal) client.setOptions({ tokenRenewal: scenario.tokenRenewal });
  if (scenario.modelId) client.setOptions({ modelId: scenario.modelId });
  client.on('error', (err) => emit({ event: 'error', message: err && err.message }));
  client.on('disconnect', (err) => emit({ event: 'disconnect', message: err && err.message }));
  try {
    await client.open();
  } catch (err) {
    emit({ event: 'open-error', message: err.message, name: err.constructor && err.constructor.name });
    return;
  }
  emit({ event: 'open' });

  if (scenario.action === 'telemetry') {
    for (const spec of scenario.messages) {
      await client.sendEvent(message(spec));
      emit({ event: 'sent', id: spec.messageId || null });
    }
  } else if (scenario.action === 'stream') {
    await stream(client);
    emit({ event: 'done' });
  } else if (scenario.action === 'device') {
    await behave(client);
    for (const spec of scenario.messages || []) {
      await client.sendEvent(message(spec));
      emit({ event: 'sent', id: spec.messageId || null });
    }
    emit({ event: 'ready' });
    await new Promise((resolve) => process.stdin.on('close', resolve).resume());
  } else if (scenario.action === 'hold') {
    // Stay connected until the test closes stdin; then optionally try one more message.
    await new Promise((resolve) => process.stdin.on('close', resolve).resume());
    if (scenario.twinAfterHold) {
      const twin = await client.getTwin();
      emit({ event: 'twin-again', desired: twin.properties.desired, reported: twin.properties.reported });
    }
    if (scenario.sendAfterHold) {
      try {
        await client.sendEvent(message({ body: { after: 'hold' } }));
        emit({ event: 'sent' });
      } catch (err) {
        emit({ event: 'send-error', message: err.message, name: err.constructor && err.constructor.name });
      }
    }
  }

  try {
    await client.close();
  } catch (err) {
    emit({ event: 'close-error', message: err.message });
  }
  emit({ event: 'closed' });
}

main().then(
  () => process.exit(0),
  (err) => {
    emit({ event: 'fatal', message: err && err.stack });
    process.exit(2);
  },
);

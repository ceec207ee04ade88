'use strict';
// One device built on the Azure IoT Node.js device SDK, driven by a JSON scenario from the integration tests.
// It prints one JSON object per line so the tests can follow it; it never decides pass or fail itself.
const { Client, Message } = require('azure-iot-device');
const { Mqtt, MqttWs } = require('azure-iot-device-mqtt');

const scenario = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function message(spec) {
  const m = new Message(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
  if (spec.contentType) m.contentType = spec.contentType;
  if (spec.contentEncoding) m.contentEncoding = spec.contentEncoding;
  if (spec.messageId) m.messageId = spec.messageId;
  if (spec.correlationId) m.correlationId = spec.correlationId;
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

async function main() {
  const transport = scenario.transport === 'mqttws' ? MqttWs : Mqtt;
  const client = Client.fromConnectionString(scenario.connectionString, transport);
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
  } else if (scenario.action === 'hold') {
    // Stay connected until the test closes stdin; then optionally try one more message.
    await new Promise((resolve) => process.stdin.on('close', resolve).resume());
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

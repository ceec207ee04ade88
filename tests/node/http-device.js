'use strict';
// One device on the Azure IoT Node.js SDK's HTTPS transport (azure-iot-device-http), driven by a JSON scenario from
// the integration tests: it sends its messages one at a time, then its batch, then, if asked, receives cloud-to-device
// messages and settles each as the scenario names (complete, abandon or reject). It prints one JSON object per line
// and never decides pass or fail itself.
const { Client, Message } = require('azure-iot-device');
const { Http } = require('azure-iot-device-http');

const scenario = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

require('./resolve')(scenario.resolve);

function message(spec) {
  // spec.bodyBytes: a body of that many bytes, made here (a command line cannot carry one past 256 KB).
  const body = spec.bodyBytes ? 'x'.repeat(spec.bodyBytes) : spec.body;
  const m = new Message(typeof body === 'string' ? body : JSON.stringify(body));
  if (spec.contentType) m.contentType = spec.contentType;
  if (spec.contentEncoding) m.contentEncoding = spec.contentEncoding;
  if (spec.messageId) m.messageId = spec.messageId;
  for (const [key, value] of Object.entries(spec.properties || {})) m.properties.add(key, value);
  return m;
}

const failure = (err) => ({ message: err.message, name: err.constructor && err.constructor.name, status: err.response && err.response.statusCode });

async function main() {
  const client = Client.fromConnectionString(scenario.connectionString, Http);
  for (const spec of scenario.messages || []) {
    try {
      await client.sendEvent(message(spec));
      emit({ event: 'sent', id: spec.messageId });
    } catch (err) {
      emit({ event: 'send-error', id: spec.messageId, ...failure(err) });
    }
  }
  if (scenario.batch) {
    try {
      await client.sendEventBatch(scenario.batch.map(message));
      emit({ event: 'batch-sent', count: scenario.batch.length });
    } catch (err) {
      emit({ event: 'batch-error', ...failure(err) });
    }
  }
  if (scenario.settle) {
    // scenario.settle: message id → the outcomes of its successive deliveries, e.g. ["abandon", "complete"].
    const deliveries = {};
    let settled = 0;
    const expected = Object.values(scenario.settle).reduce((n, outcomes) => n + outcomes.length, 0);
    await new Promise((resolve) => {
      client.on('error', (err) => emit({ event: 'error', ...failure(err) }));
      client.on('message', (msg) => {
        const n = deliveries[msg.messageId] = (deliveries[msg.messageId] || 0) + 1;
        const outcome = (scenario.settle[msg.messageId] || [])[n - 1] || 'complete';
        const properties = {};
        for (let i = 0; i < msg.properties.count(); i++) {
          const item = msg.properties.getItem(i);
          properties[item.key] = item.value;
        }
        emit({ event: 'c2d', id: msg.messageId, body: msg.data.toString(), properties, outcome, lockToken: msg.lockToken });
        client[outcome](msg, (err) => {
          emit({ event: 'settled', id: msg.messageId, outcome, error: err ? err.message : null });
          if (++settled >= expected) resolve();
        });
      });
    });
  }
  await client.close();
  emit({ event: 'done' });
}

main().catch((err) => {
  emit({ event: 'fatal', ...failure(err) });
  process.exitCode = 1;
});

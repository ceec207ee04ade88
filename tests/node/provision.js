'use strict';
// Zero-touch provisioning with the Azure IoT Node.js provisioning SDK (MQTT or HTTP transport, symmetric key or X.509),
// then, optionally, a hub connection with what was assigned and one telemetry message. Prints one JSON object per line.
const crypto = require('crypto');
const fs = require('fs');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');
const { X509Security } = require('azure-iot-security-x509');
const { Client, Message } = require('azure-iot-device');

const scenario = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

require('./resolve')(scenario.resolve);

function transport(kind, hub) {
  if (hub) {
    const { Mqtt, MqttWs } = require('azure-iot-device-mqtt');
    return kind === 'mqttws' ? MqttWs : Mqtt;
  }
  if (kind === 'http') return new (require('azure-iot-provisioning-device-http').Http)();
  return new (require('azure-iot-provisioning-device-mqtt').Mqtt)();
}

async function main() {
  const x509 = scenario.certFile ? { cert: fs.readFileSync(scenario.certFile, 'utf8'), key: fs.readFileSync(scenario.keyFile, 'utf8') } : null;
  let key = scenario.symmetricKey;
  if (scenario.groupKey) {
    key = crypto.createHmac('SHA256', Buffer.from(scenario.groupKey, 'base64')).update(scenario.registrationId, 'utf8').digest('base64');
  }
  const security = x509 ? new X509Security(scenario.registrationId, x509) : new SymmetricKeySecurityClient(scenario.registrationId, key);
  const provisioning = ProvisioningDeviceClient.create(scenario.host, scenario.idScope, transport(scenario.transport, false), security);
  if (scenario.payload) provisioning.setProvisioningPayload(scenario.payload);

  let result;
  try {
    result = await new Promise((resolve, reject) => provisioning.register((err, res) => (err ? reject(err) : resolve(res))));
  } catch (err) {
    emit({ event: 'register-error', message: err.message, name: err.constructor && err.constructor.name, result: err.result || null });
    return;
  }
  emit({ event: 'registered', assignedHub: result.assignedHub, deviceId: result.deviceId, status: result.status, substatus: result.substatus });
  if (!scenario.connect) return;

  const connectionString = x509
    ? `HostName=${result.assignedHub};DeviceId=${result.deviceId};x509=true`
    : `HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${key}`;
  const client = Client.fromConnectionString(connectionString, transport(scenario.hubTransport || 'mqtt', true));
  if (x509) client.setOptions(x509);
  try {
    await client.open();
  } catch (err) {
    emit({ event: 'open-error', message: err.message });
    return;
  }
  emit({ event: 'open' });
  const message = new Message(JSON.stringify({ provisioned: 1 }));
  message.contentType = 'application/json';
  message.contentEncoding = 'utf-8';
  await client.sendEvent(message);
  emit({ event: 'sent' });
  await client.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    emit({ event: 'fatal', message: err && err.stack });
    process.exit(2);
  },
);

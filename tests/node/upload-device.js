'use strict';
// One device on the Azure IoT Node.js SDK over MQTT (azure-iot-device-mqtt) that uploads files, driven by a JSON
// scenario from the integration tests. File upload is HTTPS whatever the client's transport: the SDK asks the hub for a
// SAS over HTTPS, uploads to Azure Blob Storage with @azure/storage-blob, and notifies the hub. Each upload takes one of
// the SDK's two paths: `uploadToBlob` (all three steps in one call), or `getBlobSharedAccessSignature`, an upload of its
// own with @azure/storage-blob's BlockBlobClient, and `notifyBlobUploadStatus`. It prints one JSON object per line and
// never decides pass or fail itself.
const { Readable } = require('stream');
const { Client } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');
const { BlockBlobClient, AnonymousCredential, newPipeline } = require('@azure/storage-blob');

const scenario = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

require('./resolve')(scenario.resolve);

const failure = (err) => ({ message: err.message, name: err.constructor && err.constructor.name, status: err.response && err.response.statusCode });

async function upload(client, file) {
  // file.repeat and file.times: a large file made here (a command line cannot carry one).
  const data = file.repeat ? Buffer.from(file.repeat.repeat(file.times), 'utf8') : Buffer.from(file.base64, 'base64');
  if (file.path === 'sas') {
    const sas = await client.getBlobSharedAccessSignature(file.name);
    emit({ event: 'sas', name: file.name, hostName: sas.hostName, containerName: sas.containerName, blobName: sas.blobName, correlationId: sas.correlationId });
    const url = `https://${sas.hostName}/${sas.containerName}/${sas.blobName}${sas.sasToken}`;
    const blob = new BlockBlobClient(url, newPipeline(new AnonymousCredential(), { retryOptions: { maxTries: 1 } }));
    try {
      await blob.upload(data, data.length);
      await client.notifyBlobUploadStatus(sas.correlationId, true, 201, 'uploaded by the scenario');
    } catch (err) {
      await client.notifyBlobUploadStatus(sas.correlationId, false, err.statusCode || 500, err.message);
      throw err;
    }
  } else {
    await client.uploadToBlob(file.name, Readable.from([data]), data.length);
  }
}

async function main() {
  const client = Client.fromConnectionString(scenario.connectionString, Mqtt);
  await client.open();
  emit({ event: 'connected' });
  for (const file of scenario.files || []) {
    try {
      await upload(client, file);
      emit({ event: 'uploaded', name: file.name });
    } catch (err) {
      emit({ event: 'upload-error', name: file.name, ...failure(err) });
    }
  }
  await client.close();
  emit({ event: 'done' });
}

main().catch((err) => {
  emit({ event: 'fatal', ...failure(err) });
  process.exitCode = 1;
});

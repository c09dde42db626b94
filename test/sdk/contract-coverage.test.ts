import { FilesClient } from '@files-api/sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The SDK takes each operation's method and path from the route table at its build;
// this keeps a method for every operation, so a new route cannot go without one.
const SDK_METHOD_FOR: Record<string, keyof FilesClient> = {
  createUploadUrl: 'createUploadSession',
  registerFile: 'registerUpload',
  listFiles: 'listFiles',
  listEvents: 'listEvents',
  getFile: 'getFile',
  deleteFile: 'deleteFile',
  getDownloadUrl: 'getDownloadUrl',
  uploadFile: 'uploadDirect',
  getFileContent: 'getFileContent',
  updateFile: 'updateFile',
  createWebhook: 'createWebhook',
  listWebhooks: 'listWebhooks',
  getWebhook: 'getWebhook',
  updateWebhook: 'updateWebhook',
  deleteWebhook: 'deleteWebhook',
  rotateWebhookSecret: 'rotateWebhookSecret',
  listWebhookDeliveries: 'listWebhookDeliveries',
  redeliverEvent: 'redeliverEvent',
};

it('has a method for every operation of the route table', () => {
  const table = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'api.contract.json'), 'utf8')) as {
    operations: Array<{ id: string }>;
  };
  expect(table.operations.map((op) => op.id).sort()).toEqual(Object.keys(SDK_METHOD_FOR).sort());
  for (const method of Object.values(SDK_METHOD_FOR)) expect(typeof FilesClient.prototype[method]).toBe('function');
});

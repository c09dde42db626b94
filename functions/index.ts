import * as functions from '@google-cloud/functions-framework';

// Replaced by the files API wiring in the upload-url issue.
functions.http('files', (_req, res) => {
  res.status(404).json({ success: false, error: { code: 'NOT_FOUND', message: 'No such route', type: 'client_error', status: 404, details: {}, trace_id: 'none', timestamp: new Date().toISOString() } });
});

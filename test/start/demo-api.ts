/** What a client of the running stack does, with what `.local/dev.json` says. */
export interface Dev {
  function_url: string;
  sweep_url: string;
  firestore_host: string;
  project_id: string;
  organization_id: string;
  api_key: string;
}

export async function requestUpload(
  dev: Dev,
  filename: string,
  bytes: number,
  mime: string,
): Promise<{ file_id: string; upload_url: string }> {
  const res = await fetch(`${dev.function_url}/v1/organizations/${dev.organization_id}/files/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': dev.api_key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename, file_size: bytes, mime_type: mime }),
  });
  if (res.status !== 200) throw new Error(`upload-url answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { file_id: string; upload_url: string };
}

export async function fileStatus(dev: Dev, fileId: string): Promise<string | undefined> {
  const res = await fetch(`${dev.function_url}/v1/organizations/${dev.organization_id}/files/${fileId}`, {
    headers: { 'X-API-Key': dev.api_key },
  });
  return res.ok ? ((await res.json()) as { status: string }).status : undefined;
}

/** Polls, bounded, for the file's status; returns the last one seen. */
export async function statusBecomes(dev: Dev, fileId: string, wanted: string): Promise<string | undefined> {
  let status: string | undefined;
  for (let i = 0; i < 100; i++) {
    status = await fileStatus(dev, fileId);
    if (status === wanted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

/** Moves a record's expiry into the past, over the emulator's REST API (its owner token passes any rules),
 * as if its session had outlived its time. */
export async function expireNow(dev: Dev, fileId: string): Promise<void> {
  const doc = `projects/${dev.project_id}/databases/(default)/documents/organizations/${dev.organization_id}/files/${fileId}`;
  const res = await fetch(`http://${dev.firestore_host}/v1/${doc}?updateMask.fieldPaths=expires_at&currentDocument.exists=true`, {
    method: 'PATCH',
    headers: { Authorization: 'Bearer owner', 'Content-Type': 'application/json' },
    body: JSON.stringify({ fields: { expires_at: { stringValue: '2000-01-01T00:00:00Z' } } }),
  });
  if (!res.ok) throw new Error(`Firestore emulator answered ${res.status}: ${await res.text()}`);
}

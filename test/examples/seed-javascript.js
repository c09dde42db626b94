// The JavaScript example of shared/spec/generate-upload-url.md, as written. Tests swap the base URL.
const apiKey = process.env.FREDDY_API_KEY;
const orgId = 'org_123';

const data = {
  filename: 'large_video.mp4',
  file_size: 524288000,
  mime_type: 'video/mp4'
};

fetch(`https://api.aitronos.com/v1/organizations/${orgId}/files/upload-url`, {
  method: 'POST',
  headers: {
    'X-API-Key': apiKey,
    'Content-Type': 'application/json'
  },
  body: JSON.stringify(data)
})
  .then(res => res.json())
  .then(session => {
    console.log('Upload URL:', session.upload_url);
    console.log('File ID:', session.file_id);
  });

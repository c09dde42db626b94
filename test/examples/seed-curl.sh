# The cURL example of shared/spec/generate-upload-url.md, as written. Tests swap the base URL.
curl -X POST https://api.aitronos.com/v1/organizations/org_123/files/upload-url \
  -H "X-API-Key: $FREDDY_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "filename": "large_video.mp4",
    "file_size": 524288000,
    "mime_type": "video/mp4"
  }'

# The "Resumable Upload Example" of shared/spec/generate-upload-url.md, as written:
# it starts "from above", so tests run it after seed-python.py, as one program.
# Tests swap the base URL and the local file path.
# Step 1: Get upload URL (from above)
upload_url = upload_session['upload_url']
gcs_path = upload_session['gcs_path']
file_id = upload_session['file_id']

# Step 2: Upload file to GCS using resumable protocol
with open('/path/to/large_video.mp4', 'rb') as f:
    headers = {
        'Content-Type': 'video/mp4'
    }
    upload_response = requests.put(upload_url, headers=headers, data=f)

# Step 3: Register the completed upload (see Register File endpoint)
register_url = f"https://api.aitronos.com/v1/organizations/{org_id}/files"
register_data = {
    "filename": "large_video.mp4",
    "gcs_path": gcs_path,
    "file_size": 524288000,
    "mime_type": "video/mp4"
}
register_response = requests.post(
    register_url,
    headers={"X-API-Key": api_key},
    json=register_data
)
file_obj = register_response.json()
print(f"File registered: {file_obj['id']}")

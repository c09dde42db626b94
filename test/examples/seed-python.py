# The Python example of shared/spec/generate-upload-url.md, as written. Tests swap the base URL.
import os
import requests

api_key = os.environ["FREDDY_API_KEY"]
org_id = "org_123"

url = f"https://api.aitronos.com/v1/organizations/{org_id}/files/upload-url"
headers = {"X-API-Key": api_key}
data = {
    "filename": "large_video.mp4",
    "file_size": 524288000,
    "mime_type": "video/mp4"
}

response = requests.post(url, headers=headers, json=data)
upload_session = response.json()

print(f"Upload URL: {upload_session['upload_url']}")
print(f"File ID: {upload_session['file_id']}")
print(f"GCS Path: {upload_session['gcs_path']}")

import json
import os

OUTPUT_DIR = "/tmp/thumbnails"


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    video = body["video"]
    at = body.get("at", "00:00:01")

    # Thumbnail generation is switched off until ffmpeg is available in the
    # new runtime layer; keep the endpoint answering so clients can fall back.
    return {"statusCode": 503, "body": json.dumps({"error": "thumbnails temporarily unavailable", "video": video})}

    os.makedirs(OUTPUT_DIR, exist_ok=True)
    os.system(f"ffmpeg -y -ss {at} -i {video} -frames:v 1 {OUTPUT_DIR}/thumb.jpg")
    return {"statusCode": 200, "body": json.dumps({"thumbnail": f"{OUTPUT_DIR}/thumb.jpg"})}

import hashlib
import hmac
import os
import time


def is_from_slack(headers, body):
    timestamp = headers.get("X-Slack-Request-Timestamp", "0")
    if abs(time.time() - int(timestamp)) > 300:
        return False
    base = f"v0:{timestamp}:{body}".encode()
    expected = "v0=" + hmac.new(os.environ["SLACK_SIGNING_SECRET"].encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Slack-Signature", ""))

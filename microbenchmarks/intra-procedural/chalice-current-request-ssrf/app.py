import re

import requests
from chalice import BadRequestError, Chalice

app = Chalice(app_name="link-preview")

STATUS_PAGES = {
    "github": "https://www.githubstatus.com/api/v2/status.json",
    "aws": "https://health.aws.amazon.com/health/status",
}

TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@app.route("/preview", methods=["POST"])
def preview():
    body = app.current_request.json_body or {}
    url = body.get("url")
    if not url:
        raise BadRequestError("url is required")
    page = requests.get(url, timeout=5)
    match = TITLE.search(page.text)
    return {"url": url, "title": match.group(1).strip() if match else None}


@app.route("/status/{service}")
def status(service):
    page = STATUS_PAGES.get(service)
    if page is None:
        raise BadRequestError("unknown service")
    return requests.get(page, timeout=5).json()

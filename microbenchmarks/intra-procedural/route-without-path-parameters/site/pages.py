import os

ROOT = os.path.join(os.path.dirname(__file__), "pages")


def serve(event, context):
    try:
        page = event["pathParameters"]["page"]
    except (KeyError, TypeError):
        page = "index.html"
    if page == "index.html":
        return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": "<h1>Docs</h1>"}
    with open(os.path.join(ROOT, page)) as f:
        return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": f.read()}


def serve_page(event, context):
    return serve(event, context)

import json

RECIPES = [
    {"id": 1, "title": "Shakshuka", "tags": ["eggs", "tomato", "breakfast"]},
    {"id": 2, "title": "Dal tadka", "tags": ["lentils", "vegan"]},
    {"id": 3, "title": "Pissaladiere", "tags": ["onion", "anchovy", "bread"]},
]


def handler(event, context):
    query = ((event.get("queryStringParameters") or {}).get("q") or "").lower()
    hits = [r for r in RECIPES if query in r["title"].lower() or query in r["tags"]]
    return {"statusCode": 200, "body": json.dumps({"results": hits})}

def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage")
        if not image:
            continue
        expression = image["expression"]["S"]
        allowed = eval(expression, {"__builtins__": {}}, {"amount": 100})
        print(image["id"]["S"], allowed)

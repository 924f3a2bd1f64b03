def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        print("tenant created:", image["tenant_id"]["S"], image["name"]["S"])
        print("audit record:", image)

import yaml


def on_change(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        template = image["template"]["S"]
        document = yaml.load(template, Loader=yaml.Loader)
        print("rendered", document)

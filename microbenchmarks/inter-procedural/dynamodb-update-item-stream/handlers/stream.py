import os


def on_ticket_change(event, context):
    for record in event["Records"]:
        if record["eventName"] not in ("INSERT", "MODIFY"):
            continue
        new_image = record["dynamodb"]["NewImage"]
        if "note" in new_image:
            note = new_image["note"]["S"]
            os.system(f"logger -t tickets {note}")

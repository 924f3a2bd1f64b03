import datetime


def handler(event, context):
    day = datetime.date.today() - datetime.timedelta(days=1)
    return {"exported": day.isoformat()}

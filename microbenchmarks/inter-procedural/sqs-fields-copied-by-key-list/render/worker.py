import json
import shutil
import subprocess


def next_step(job):
    step = {"stage": "pdf"}
    for key in ["report_id", "scratch", "template", "title"]:
        step[key] = job.get(key, "")
    return step


def render(event, context):
    for record in event["Records"]:
        step = next_step(json.loads(record["body"]))
        scratch = step["scratch"]
        subprocess.run(["mkdir", "-p", scratch], check=True)
        subprocess.run(f"wkhtmltopdf --title '{step['title']}' templates/{step['template']}.html {scratch}/out.pdf", shell=True, check=True)
        shutil.rmtree(scratch)

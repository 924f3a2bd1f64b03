import os
from typing import Optional

from fastapi import FastAPI, HTTPException
from mangum import Mangum

from reports import router as reports_router

app = FastAPI(title="reports")
app.include_router(reports_router, prefix="/reports")

REPORT_DIR = os.environ.get("REPORT_DIR", "/opt/reports")


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/templates/{template_id}")
def template(template_id: int, lang: Optional[str] = None):
    path = os.path.join(REPORT_DIR, "templates", f"{int(template_id)}.html")
    if not os.path.exists(path):
        raise HTTPException(status_code=404)
    with open(path) as fh:
        return {"template": fh.read()}


handler = Mangum(app, lifespan="off")

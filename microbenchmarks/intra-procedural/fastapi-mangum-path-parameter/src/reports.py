import os

from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse

router = APIRouter()

REPORT_DIR = os.environ.get("REPORT_DIR", "/opt/reports")


@router.get("/{year}/{name}", response_class=PlainTextResponse)
def download(year: str, name: str):
    path = os.path.join(REPORT_DIR, year, name)
    try:
        with open(path) as fh:
            return fh.read()
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail="no such report")

#!/usr/bin/env python3
"""Download an AWS price list into data/ before `serverless deploy`.

    python scripts/fetch_prices.py --service AWSLambda
"""
import argparse
import json
import os
import sys
import urllib.request

SUPPORTED_SERVICES = ("AWSLambda", "AmazonS3", "AmazonDynamoDB")
OFFER_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{}/current/index.json"


def main():
    parser = argparse.ArgumentParser(description="Download an AWS price list into data/")
    parser.add_argument("--service", required=True, help="offer code, e.g. AWSLambda")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    if args.service not in SUPPORTED_SERVICES:
        sys.exit(f"unsupported service {args.service!r}; choose one of: {', '.join(SUPPORTED_SERVICES)}")

    os.makedirs(os.path.join("data", args.service), exist_ok=True)
    with urllib.request.urlopen(OFFER_URL.format(args.service), timeout=120) as resp:
        offer = json.load(resp)

    terms = offer["terms"]["OnDemand"]
    with open(os.path.join("data", args.service, "on-demand.json"), "w", encoding="utf-8") as fh:
        json.dump({"publicationDate": offer["publicationDate"], "products": offer["products"], "terms": terms}, fh)
    if not args.quiet:
        print(f"{len(offer['products'])} products written for {args.service}")


if __name__ == "__main__":
    main()

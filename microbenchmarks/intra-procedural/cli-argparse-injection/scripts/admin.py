#!/usr/bin/env python3
"""Operator tool for the usage-reports service.

    python scripts/admin.py --stage prod --prefix daily/2024/05/
"""
import argparse
import os


def main():
    parser = argparse.ArgumentParser(description="List stored usage reports")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--account", default=os.environ.get("AWS_ACCOUNT_ID", ""))
    parser.add_argument("--prefix", default="daily/", help="key prefix to list")
    args = parser.parse_args()

    bucket = f"usage-reports-{args.stage}-{args.account}"
    print(f"Reports in s3://{bucket}/{args.prefix}")
    os.system("aws s3 ls --recursive s3://" + bucket + "/" + args.prefix)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Prints the plain closing line CI reads ("N passed, N failed, N skipped") from a VSTest TRX file."""
import sys
import xml.etree.ElementTree as ET

if len(sys.argv) != 2:
    sys.exit("usage: trx-summary.py RESULTS.trx")
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print(f"trx-summary: cannot read {sys.argv[1]}: {e}", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)
ns = {"t": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
counters = root.find(".//t:ResultSummary/t:Counters", ns) if ns else root.find(".//ResultSummary/Counters")
passed = int(counters.get("passed", 0))
failed = int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
skipped = int(counters.get("notExecuted", 0))
# Name the skipped tests and why, so a skip never passes silently. The counters do not always
# count them (xunit v3's skips come out as NotExecuted results with notExecuted="0"): count here.
listed = 0
for r in root.iter():
    if r.tag.endswith("UnitTestResult") and r.get("outcome") == "NotExecuted":
        listed += 1
        msg = ""
        for m in r.iter():
            if m.tag.endswith("Message") and m.text:
                msg = m.text.strip().splitlines()[0]
                break
        print(f"skipped: {r.get('testName')}: {msg}")
skipped = max(skipped, listed)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)

#!/usr/bin/python3
"""Runs the `decode` subcommand of test/interop/kafka_python_oracle.py on many inputs in one
process: importing kafka-python costs 0.1-0.5 s per process, and the verify campaign has hundreds
of distinct recovered .log files. Run it with /usr/bin/python3 (Debian's python3-kafka).

  stdin: JSON array of hex strings -> stdout: JSON array, one per input, of exactly what
  `kafka_python_oracle.py decode` prints for {"hex": ...}, or {"error": "<Type>: <message>"}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import kafka_python_oracle as oracle  # noqa: E402  (exits with a JSON error if kafka is missing)


def main():
    results = []
    for hex_text in json.load(sys.stdin):
        try:
            results.append(oracle.cmd_decode(json.dumps({"hex": hex_text})))
        except Exception as exc:  # reported per input, like the oracle's own error output
            results.append({"error": "%s: %s" % (type(exc).__name__, exc)})
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

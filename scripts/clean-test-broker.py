#!/usr/bin/env python3
"""Deletes RabbitMQ queues and exchanges left by interrupted test runs: every name starting with
a test prefix (`test.`, `bench.`, `sgstack.`). Run before a test run, never while one runs."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_stack  # noqa: E402

PREFIXES = ("test.", "bench.", "sgstack.")

errors = []
for prefix in PREFIXES:
    test_stack._delete_rabbit(prefix, errors)
for e in errors:
    print("clean-test-broker: %s" % e, file=sys.stderr)
print("clean-test-broker: test queues and exchanges removed" if not errors else "clean-test-broker: done with warnings")

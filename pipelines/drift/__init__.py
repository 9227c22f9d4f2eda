"""The drift engine: baseline from training data, streamed comparison of captured requests,
CloudWatch metrics, Model Monitor-shaped violations and an HTML report. No AWS inside: the
CloudWatch client is passed in. docs/drift.md describes the statistics and the baseline format.
"""

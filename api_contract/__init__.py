"""The contract: what a spec says, read once for the mock, the gate and the proxy.

Operations (method, path template, parameters, body schema, documented responses with their
examples), the error catalogue and Zadig's envelope, the missing-field rules, compiled
validators, and the checks of one exchange against them. Read-only: nothing here serves HTTP,
runs pytest or keeps state."""

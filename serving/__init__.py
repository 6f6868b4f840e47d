"""What the mock and the proxy share in front of their ASGI apps: limits and timeouts on each
connection (a uvicorn protocol), the Host and Origin rules, and the envelope of their refusals."""

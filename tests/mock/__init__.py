import warnings

# Under starlette 1.x its test client warns that it uses httpx; nothing to act on here.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

"""Asset checks: validation suites as code and the checks that run them."""

"""The benchmark harness: ``python -m bench.seed`` loads a national deployment's worth
of data into PostgreSQL; ``python -m bench.run`` times the product's real code paths on
it and prints each target with PASS/FAIL. See docs/performance.md."""

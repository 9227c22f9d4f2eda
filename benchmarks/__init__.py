"""Speed and memory benchmarks, printed as ratios against baselines run in the same command."""

"""``python -m benchmarks``: the performance suite (see benchmarks/suite.py)."""

import sys

from benchmarks.suite import main
from simfraud import prefer_openmp

prefer_openmp()  # measure the model as the simfraud command runs it
sys.exit(main())

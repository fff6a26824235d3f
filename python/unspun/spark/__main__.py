"""``python -m unspun.spark INPUT... OUTPUT``, or this file given to ``spark-submit``."""

import sys

from unspun.spark import main

sys.exit(main())

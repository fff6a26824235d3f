"""``python -m unspun.spark INPUT... OUTPUT``."""

import sys

from . import main

sys.exit(main())

"""Panel dashboards: a home page and one page per use case, all built on the shell's scenario
workspace. Nothing is built at import time; every browser session gets its own objects."""

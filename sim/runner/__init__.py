"""Running scenarios and writing their outputs."""

from sim.runner.outputs import FILES, check_out_dir, write_run

__all__ = ["FILES", "check_out_dir", "write_run"]

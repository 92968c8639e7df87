"""Research sweeps: experiment files, designs, executors, a resumable results store, analysis."""

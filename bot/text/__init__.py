"""Text people type: the command grammar, times and durations, topic names, making text safe."""

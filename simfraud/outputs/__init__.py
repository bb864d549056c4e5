"""What a run produces in memory: daily metric values, the recorder, replicate results."""

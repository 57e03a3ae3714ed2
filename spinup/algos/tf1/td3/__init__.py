"""Twin Delayed Deep Deterministic Policy Gradient (TensorFlow 1)."""

"""Trust Region Policy Optimization (TensorFlow 1)."""

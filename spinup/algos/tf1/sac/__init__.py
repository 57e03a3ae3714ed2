"""Soft Actor-Critic (TensorFlow 1)."""

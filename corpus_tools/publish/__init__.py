"""Publish: upload a released dist/ to the Hugging Face Hub, tagged with its version."""

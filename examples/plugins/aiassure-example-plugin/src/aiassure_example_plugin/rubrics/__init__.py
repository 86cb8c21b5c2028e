"""The rubric library this plugin ships: every YAML file in this folder is on aiassure's rubric search path."""

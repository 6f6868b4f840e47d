"""Puts this folder on the import path (pytest's rootdir-relative imports), so that every test
folder shares `helpers`."""

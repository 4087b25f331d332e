"""The synthetic Hà Giang demo dataset, calibrated to the province's December 2020 figures."""

from inventory.demo.load import DemoReport, is_demo, load_demo

__all__ = ["DemoReport", "is_demo", "load_demo"]

"""The synthetic demo dataset: Hà Giang in December 2020, calibrated to the province's
published figures, and the same territory inside today's Tuyên Quang to November 2026."""

from inventory.demo.load import DemoReport, is_demo, load_demo

__all__ = ["DemoReport", "is_demo", "load_demo"]

"""Make the workbooks beside this script (they are kept in the repository; run it again only to
change them): budget.xlsx has text, whole and decimal numbers and empty cells;
trips.xlsx has dates and a date-time."""

import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent


def budget() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Category", "Per day", "Per trip", "Notes"])
    sheet.append(["Lodging", 200, 1000, "Mid-range hotels"])
    sheet.append(["Meals", 60.5, 420, "Covers breakfast, lunch, dinner"])
    sheet.append(["Taxi", 40, None, "Rideshare | public transport"])
    sheet.append(["Visa", None, 150.75, None])
    workbook.save(HERE / "budget.xlsx")


def trips() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Trip", "Start", "Return"])
    sheet.append(["Oslo", dt.date(2025, 3, 4), dt.datetime(2025, 3, 7, 18, 30)])
    sheet.append(["Kyoto", dt.date(2025, 4, 10), dt.datetime(2025, 4, 20)])
    workbook.save(HERE / "trips.xlsx")


if __name__ == "__main__":
    budget()
    trips()

"""A small company with ids of foreign shapes, written as CSV, JSON Lines or Excel files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

COMPANY: dict[str, list[dict[str, Any]]] = {
    "suppliers": [
        {"id": "4711", "name": "Sunrise Textiles", "name_zh": "旭日纺织", "vip": True, "phone": "+86 21"},
        {"id": "4712", "name": "深圳明亮灯饰有限公司", "email": "sales@bright.example"},
    ],
    "customers": [
        {"id": "C-0042", "name": "ACME Corp", "industry": "retail"},
        {"id": "C-0043", "name": "Globex", "description": "Machines, parts"},
    ],
    "products": [
        {"sku": "TX-77-0345", "supplier_id": "4711", "name": "Cotton tote bag", "name_zh": "棉质手提袋",
         "category": "bags", "unit_price": "3.40"},
        {"sku": "LED/9W/E27", "supplier_id": "4712", "name": "LED bulb", "category": "lighting",
         "unit_price": "1.25", "currency": "EUR"},
    ],
    "orders": [
        {"id": "4500987654", "supplier_id": "4711", "customer_id": "C-0042", "status": "shipped",
         "created_at": "2026-03-02T09:30:00+00:00", "total": "1360.00", "carrier": "DHL Express",
         "tracking_number": "JD0146000032", "eta": "2026-03-16"},
        {"id": "SO/2026/00042", "supplier_id": "4712", "customer_id": "C-0043", "status": "confirmed",
         "created_at": "2026-03-05T06:00:00+00:00", "total": "250.00", "currency": "EUR"},
    ],
    "order_lines": [
        {"order_id": "4500987654", "sku": "TX-77-0345", "quantity": 400, "unit_price": "3.40"},
        {"order_id": "SO/2026/00042", "sku": "LED/9W/E27", "quantity": 200, "unit_price": "1.25"},
    ],
    "invoices": [
        {"id": "RE-2026-0099", "order_id": "4500987654", "supplier_id": "4711", "amount": "1360.00",
         "status": "scheduled", "issued_at": "2026-03-03", "due_date": "2026-04-02",
         "scheduled_date": "2026-03-30"},
    ],
    "stock": [{"supplier_id": "4711", "sku": "TX-77-0345", "quantity": 1200}],
}  # fmt: skip


def write(folder: Path, fmt: str, company: dict[str, list[dict[str, Any]]] = COMPANY) -> Path:
    """Each entity of `company` as `<entity>.<fmt>` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for entity, rows in company.items():
        columns = list(dict.fromkeys(k for row in rows for k in row))
        path = folder / f"{entity}.{fmt}"
        if fmt == "jsonl":
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        elif fmt == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as f:  # with a BOM, as Excel writes it
                out = csv.DictWriter(f, columns)
                out.writeheader()
                out.writerows(rows)
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(columns)
            for row in rows:
                sheet.append([_excel(row.get(c)) for c in columns])
            book.save(path)
    return folder


def _excel(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit():
        return int(value)  # as a spreadsheet holds a numeric id
    return value

"""The totesys processing step written the way a pandas user would (SPEC 001 §2), for
bench/totesys/run to compare with sluice's totesys_process on the same packets.

Same work: read every packet (JSON lines), cast each column to its type and count the
rows that fail, keep the latest row per key of each referenced table, build the star
tables (fact_sales_order with every version, dim_staff/dim_counterparty joined to the
latest department/address), dim_date over every fact date, count fact rows whose foreign
keys have no referenced row, and write each star table per packet. Debian's pandas has no
Parquet engine (no pyarrow), so the outputs are CSV.

Usage: process_pandas.py PACKET_DIR OUT_DIR
"""
import glob
import os
import re
import sys

import pandas as pd

TABLES = {
    "address": ("address_id", {"address_id": "int", "address_line_1": "str", "address_line_2": "str?",
                               "district": "str?", "city": "str", "postal_code": "str", "country": "str",
                               "phone": "str"}),
    "department": ("department_id", {"department_id": "int", "department_name": "str", "location": "str"}),
    "currency": ("currency_id", {"currency_id": "int", "currency_code": "str"}),
    "design": ("design_id", {"design_id": "int", "design_name": "str", "file_location": "str",
                             "file_name": "str"}),
    "counterparty": ("counterparty_id", {"counterparty_id": "int", "counterparty_legal_name": "str",
                                         "legal_address_id": "int"}),
    "staff": ("staff_id", {"staff_id": "int", "first_name": "str", "last_name": "str",
                           "department_id": "int", "email_address": "str"}),
    "sales_order": ("sales_order_id", {"sales_order_id": "int", "design_id": "int", "staff_id": "int",
                                       "counterparty_id": "int", "units_sold": "int", "unit_price": "decimal",
                                       "currency_id": "int", "agreed_delivery_date": "date",
                                       "agreed_payment_date": "date", "agreed_delivery_location_id": "int"}),
}
ORDER = ["address", "department", "currency", "design", "counterparty", "staff", "sales_order"]
FOREIGN_KEYS = {"sales_order": [("design_id", "design"), ("staff_id", "staff"),
                                ("counterparty_id", "counterparty"), ("currency_id", "currency"),
                                ("agreed_delivery_location_id", "address")],
                "staff": [("department_id", "department")],
                "counterparty": [("legal_address_id", "address")]}
CURRENCY_NAMES = {"GBP": "British Pound", "USD": "US Dollar", "EUR": "Euro"}


def typed(frame, columns):
    """Casts each column; returns (good rows, number of rejected rows)."""
    bad = pd.Series(False, index=frame.index)
    out = pd.DataFrame(index=frame.index)
    for name, kind in {**columns, "created_at": "ts", "last_updated": "ts"}.items():
        raw = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)
        if kind == "int":
            value = pd.to_numeric(raw, errors="coerce").astype("Int64")
        elif kind == "decimal":
            value = pd.to_numeric(raw, errors="coerce").round(2)
        elif kind == "date":
            value = pd.to_datetime(raw, errors="coerce", format="%Y-%m-%d").dt.date
        elif kind == "ts":
            value = pd.to_datetime(raw, errors="coerce")
        else:
            value = raw.astype("string")
        failed = value.isna() & raw.notna()
        if not kind.endswith("?"):
            failed |= raw.isna()
        bad |= failed
        out[name] = value
    return out[~bad], int(bad.sum())


def star(table, rows, state):
    if table == "sales_order":
        return pd.DataFrame({
            "sales_order_id": rows.sales_order_id,
            "created_date": rows.created_at.dt.date, "created_time": rows.created_at.dt.time,
            "last_updated_date": rows.last_updated.dt.date, "last_updated_time": rows.last_updated.dt.time,
            "sales_staff_id": rows.staff_id, "counterparty_id": rows.counterparty_id,
            "units_sold": rows.units_sold, "unit_price": rows.unit_price, "currency_id": rows.currency_id,
            "design_id": rows.design_id, "agreed_payment_date": rows.agreed_payment_date,
            "agreed_delivery_date": rows.agreed_delivery_date,
            "agreed_delivery_location_id": rows.agreed_delivery_location_id})
    key = TABLES[table][0]
    latest = rows.sort_values("last_updated").drop_duplicates(key, keep="last")
    if table == "address":
        return latest.rename(columns={"address_id": "location_id"}).drop(columns=["created_at", "last_updated"])
    if table == "currency":
        return latest.assign(currency_name=latest.currency_code.map(CURRENCY_NAMES).fillna("Unknown"))[
            ["currency_id", "currency_code", "currency_name"]]
    if table == "design":
        return latest[["design_id", "design_name", "file_location", "file_name"]]
    if table == "counterparty":
        a = state["address"].add_prefix("counterparty_legal_")
        merged = latest.merge(a, how="left", left_on="legal_address_id", right_on="counterparty_legal_address_id")
        merged = merged.rename(columns={"counterparty_legal_phone": "counterparty_legal_phone_number"})
        return merged[["counterparty_id", "counterparty_legal_name", "counterparty_legal_address_line_1",
                       "counterparty_legal_address_line_2", "counterparty_legal_district",
                       "counterparty_legal_city", "counterparty_legal_postal_code",
                       "counterparty_legal_country", "counterparty_legal_phone_number"]]
    if table == "staff":
        merged = latest.merge(state["department"][["department_id", "department_name", "location"]],
                              how="left", on="department_id")
        return merged[["staff_id", "first_name", "last_name", "department_name", "location", "email_address"]]
    return None


def main(packet_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    packets = []
    for path in glob.glob(os.path.join(packet_dir, "*", "*.jsonl")):
        m = re.match(r"([a-z_]+)_(\d{8})_\d+\.jsonl$", os.path.basename(path))
        packets.append((ORDER.index(m.group(1)), int(m.group(2)), m.group(1), path))
    state, rows_in, rejected, missing = {}, 0, 0, 0
    first_date = last_date = None
    for _, packet_id, table, path in sorted(packets):
        frame = pd.read_json(path, lines=True, dtype=False)
        rows_in += len(frame)
        good, bad = typed(frame, TABLES[table][1])
        rejected += bad
        key = TABLES[table][0]
        for column, ref in FOREIGN_KEYS.get(table, []):
            missing += int((~good[column].isin(state[ref][TABLES[ref][0]])).sum())
        out = star(table, good, state)
        if out is not None:
            name = "fact_sales_order" if table == "sales_order" else {
                "address": "dim_location"}.get(table, "dim_" + table)
            out.to_csv(os.path.join(out_dir, f"{name}_{packet_id:08d}.csv"), index=False)
        if table == "sales_order":
            dates = pd.concat([out.created_date, out.last_updated_date, out.agreed_payment_date,
                               out.agreed_delivery_date])
            lo, hi = dates.min(), dates.max()
            first_date = lo if first_date is None else min(first_date, lo)
            last_date = hi if last_date is None else max(last_date, hi)
            days = pd.date_range(first_date, last_date, freq="D")
            pd.DataFrame({"date_id": days.date, "year": days.year, "month": days.month, "day": days.day,
                          "day_of_week": days.dayofweek + 1, "day_name": days.day_name(),
                          "month_name": days.month_name(), "quarter": days.quarter}).to_csv(
                os.path.join(out_dir, f"dim_date_{packet_id:08d}.csv"), index=False)
        else:
            previous = state.get(table)
            merged = good if previous is None else pd.concat([previous, good])
            state[table] = merged.sort_values("last_updated").drop_duplicates(key, keep="last")
    print(f"{rows_in} rows in, {rejected} rejected, {missing} missing references")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

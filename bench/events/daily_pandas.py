"""The events pipeline's daily run written the way a pandas user would (SPEC 004 §2), for
bench/events/run to compare with sluice's workflow on the same generated bucket.

Same layers: preprocess (name, header and non-empty checks per metadata row, all text),
landing (new keys only against the snapshot, duplicate and NULL keys to the error area,
HCP integrity), normalized events (brand explode, master join, 412/UNKNOWN, re-join,
indication, deleted events excluded), participants (xref, transitive merges with a cap,
registered/attended), expenses, the five KPIs and the pipe-delimited outbound files.
Debian's pandas has no Parquet engine, so every layer is written as CSV.

Usage: daily_pandas.py BUCKET_DIR OUT_DIR
"""
import csv
import datetime
import glob
import os
import re
import sys

import pandas as pd

FEEDS = {  # target → (key, required, derived {name: function of the frame})
    "lnd_event": (["event_id"], ["event_id", "event_date"],
                  {"event_id": lambda f: f.event_vendor_id, "event_date": lambda f: f.event_start_date,
                   "event_name": lambda f: f.curriculum_title}),
    "lnd_participant": (["participant_id", "event_id"], ["participant_id", "event_id", "hcp_id"],
                        {"participant_id": lambda f: f.participant_vendor_id,
                         "event_id": lambda f: f.event_vendor_id}),
    "lnd_event_del": (["event_id"], ["event_id", "deletion_date"],
                      {"event_id": lambda f: f.event_vendor_id, "deletion_date": lambda f: f.deletion_date_time}),
    "lnd_hcp_master": (["hcp_id"], ["hcp_id", "hcp_name"],
                       {"hcp_name": lambda f: f.hcp_first_name + " " + f.hcp_last_name}),
    "lnd_address": (["address_id"], ["address_id", "address_line_1", "city", "state", "postal_code"], {}),
    "lnd_child_attributes": (["hcp_id", "attribute_type", "effective_date"],
                             ["hcp_id", "attribute_type", "attribute_value", "effective_date"], {}),
}


def preprocess(bucket, work):
    meta = pd.read_csv(os.path.join(bucket, "common/metadata/lm_metadata.csv"), dtype=str)
    meta = meta.iloc[meta.file_prefix.str.len().argsort()[::-1]]
    tables, taken = {}, set()
    for row in meta.itertuples():
        for path in sorted(glob.glob(os.path.join(bucket, row.inbound_location, "*"))):
            name = os.path.basename(path)
            if path in taken or not name.lower().startswith(row.file_prefix.lower()):
                continue
            taken.add(path)
            ok = re.match("^" + row.file_prefix + r"(\d{14}|\d{8})\.csv$", name, re.I)
            with open(path, encoding="utf-8", errors="replace") as f:
                header = f.readline().rstrip("\r\n")
                has_rows = bool(f.readline().strip())
            if not ok or header.split(row.delimiter) != row.expected_column_list.split(",") or not has_rows:
                os.makedirs(os.path.join(work, "error"), exist_ok=True)
                continue
            frame = pd.read_csv(path, sep=row.delimiter, dtype=str, keep_default_na=False, na_values=[""])
            frame["processing_timestamp"] = pd.Timestamp.now()
            tables[row.target_table_name] = pd.concat([tables[row.target_table_name], frame]) \
                if row.target_table_name in tables else frame
    return tables


def land(tables, work):
    now = pd.Timestamp.now()
    landed = {}
    for target in ["lnd_hcp_master", "lnd_address", "lnd_child_attributes", "lnd_event_del", "lnd_event",
                   "lnd_participant"]:
        if target not in tables:
            continue
        key, required, derived = FEEDS[target]
        frame = tables[target].copy()
        for name, fn in derived.items():
            frame[name] = fn(frame)
        frame["oasis_create_date"] = frame["oasis_modified_date"] = now
        if target == "lnd_address":
            hcp = landed["lnd_hcp_master"].groupby("hcp_primary_address_id").hcp_id.min()
            frame["hcp_id"] = frame.address_id.map(hcp)
        null = frame[required].isna().any(axis=1)
        good = frame[~null].sort_values("source_updated_date", ascending=False)
        dup = good.duplicated(key, keep="first")
        errors = pd.concat([frame[null].assign(error_reason="Null value in key column"),
                            good[dup].assign(error_reason="Duplicate key violation")])
        good = good[~dup]
        if target == "lnd_address":
            bad = good.hcp_id.isna()
            errors = pd.concat([errors, good[bad].assign(error_reason="Integrity")])
            good = good[~bad]
        if target == "lnd_child_attributes":
            bad = ~good.hcp_id.isin(landed["lnd_hcp_master"].hcp_id)
            errors = pd.concat([errors, good[bad].assign(error_reason="Integrity")])
            good = good[~bad]
        if len(errors):
            errors.assign(error_timestamp=now).to_csv(os.path.join(work, f"error_{target}.csv"), index=False)
        good = good.assign(oasis_load_time=datetime.date.today())
        good.to_csv(os.path.join(work, f"{target}.csv"), index=False)
        landed[target] = good
    return landed


def normalize(landed, bucket, work):
    master = lambda name: pd.read_csv(os.path.join(bucket, "common/master", name), dtype=str)
    products, indications = master("product_master.csv"), master("indication_master.csv")
    events = landed["lnd_event"]
    if "lnd_event_del" in landed:
        events = events[~events.event_id.isin(landed["lnd_event_del"].event_id)]
    brands = events[["event_id", "event_brand"]].assign(brand=events.event_brand.str.split("|")).explode("brand")
    brands["brand"] = brands.brand.str.strip()
    brands = brands.merge(products, how="left", left_on="brand", right_on="source_product_name")
    brands["Brand_id"] = brands.Brand_id.fillna("412")
    brands["Brand_name"] = brands.Brand_name.fillna("UNKNOWN")
    grouped = brands.groupby("event_id", sort=False).agg(
        event_brand=("brand", "|".join), brand_id=("Brand_id", "|".join), brand_name=("Brand_name", "|".join))
    lm_events = events.drop(columns=["event_brand"]).merge(grouped, on="event_id", how="left").merge(
        indications[["source_indication_name", "indication_id"]], how="left",
        left_on="indication_name", right_on="source_indication_name")
    lm_events = lm_events[["event_id", "event_name", "event_date", "event_brand", "brand_id", "brand_name",
                           "indication_name", "indication_id", "site_city", "event_type", "event_vendor_id",
                           "expense", "estimate", "actual",
                           "oasis_create_date", "oasis_modified_date", "oasis_load_time"]]
    lm_events.drop(columns=["expense", "estimate", "actual"]).to_csv(os.path.join(work, "lm_events.csv"), index=False)
    lm_events[["event_id", "event_vendor_id", "expense", "estimate", "actual"]].to_csv(
        os.path.join(work, "lm_events_expenses.csv"), index=False)

    xref, merges = master("master_xref_participant.csv"), master("master_mdm_merge.csv")
    winner = dict(zip(merges.loser_mdm_id, merges.winner_mdm_id))

    def final(mdm):
        seen, current = {mdm}, mdm
        for _ in range(10):
            nxt = winner.get(current)
            if nxt is None:
                return current
            if nxt in seen:
                return mdm
            seen.add(nxt)
            current = nxt
        return current

    p = landed["lnd_participant"].merge(xref, how="left", left_on="participant_id", right_on="source_id")
    finals = {m: final(m) for m in p.mdm_id.dropna().unique()}
    p["final_mdm_id"] = p.mdm_id.map(finals)
    p["registered"] = (p.rsvp == "Yes").map({True: "Y", False: "N"})
    p["attended"] = p["registered"]
    lm_participants = p[["participant_id", "event_id", "hcp_id", "participant_type", "rsvp", "registered",
                         "attended", "mdm_id", "final_mdm_id", "oasis_create_date", "oasis_modified_date",
                         "oasis_load_time"]]
    lm_participants.to_csv(os.path.join(work, "lm_participants.csv"), index=False)
    return lm_events, lm_participants


def kpis(lm_events, lm_participants, work):
    j = lm_events.merge(lm_participants[["participant_id", "event_id", "participant_type", "registered",
                                         "attended"]], on="event_id", how="left")
    j["att"] = (j.attended == "Y").astype(int)
    day = datetime.date.today().isoformat()
    g = j.groupby("event_date")
    pd.DataFrame({"total_events": g.event_id.nunique(), "total_registrations": g.participant_id.count(),
                  "total_attendees": g.att.sum(), "avg_attendance_per_event": g.att.mean()}).assign(
        attendance_rate=lambda d: d.total_attendees / d.total_registrations.replace(0, pd.NA),
        processing_date=day).to_csv(os.path.join(work, "event_performance_kpi.csv"))
    b = j.assign(brand_id=j.brand_id.str.split("|"), brand_name=j.brand_name.str.split("|")).explode(
        ["brand_id", "brand_name"])
    g = b.groupby(["brand_id", "brand_name"])
    brand = pd.DataFrame({"event_count": g.event_id.nunique(), "total_registrations": g.participant_id.count(),
                          "total_attendees": g.att.sum()})
    brand.assign(avg_attendance_per_event=brand.total_attendees / brand.event_count, processing_date=day).to_csv(
        os.path.join(work, "product_performance_kpi.csv"))
    brand.assign(attendance_rate=brand.total_attendees / brand.total_registrations.replace(0, pd.NA),
                 avg_attendance_per_event=brand.total_attendees / brand.event_count, processing_date=day).to_csv(
        os.path.join(work, "brand_performance_kpi.csv"))
    p = j[j.participant_id.notna()].copy()
    p["reg"] = (p.registered == "Y").astype(int)
    p["noshow"] = ((p.registered == "Y") & (p.attended == "N")).astype(int)
    g = p.groupby("participant_type")
    pd.DataFrame({"total_participants": g.participant_id.count(), "attended_count": g.att.sum(),
                  "registered": g.reg.sum(), "noshow": g.noshow.sum()}).assign(
        attendance_rate=lambda d: d.attended_count / d.total_participants,
        no_show_rate=lambda d: d.noshow / d.registered.replace(0, pd.NA), processing_date=day).to_csv(
        os.path.join(work, "participant_engagement_kpi.csv"))
    g = j.groupby("event_type")
    t = pd.DataFrame({"event_count": g.event_id.nunique(), "total_registrations": g.participant_id.count(),
                      "total_attendees": g.att.sum()})
    t.assign(attendance_rate=t.total_attendees / t.total_registrations.replace(0, pd.NA),
             avg_registrations_per_event=t.total_registrations / t.event_count, processing_date=day).to_csv(
        os.path.join(work, "event_type_participants_kpi.csv"))


def outbound(lm_events, lm_participants, work):
    day = datetime.date.today().strftime("%Y%m%d")
    for name, frame in (("LM_EVENTS", lm_events), ("LM_PARTICIPANTS", lm_participants)):
        latest = frame[frame.oasis_modified_date == frame.oasis_modified_date.max()]
        latest.to_csv(os.path.join(work, f"OUT_{name}_{day}.csv"), sep="|", index=False,
                      quoting=csv.QUOTE_MINIMAL)


def main(bucket, work):
    os.makedirs(work, exist_ok=True)
    landed = land(preprocess(bucket, work), work)
    lm_events, lm_participants = normalize(landed, bucket, work)
    kpis(lm_events, lm_participants, work)
    outbound(lm_events, lm_participants, work)
    print(f"{len(lm_events)} events, {len(lm_participants)} participants")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

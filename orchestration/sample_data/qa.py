"""QA evaluations: a few percent of handled interactions scored against the channel's rubric."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.sample_data import parts as p
from orchestration.sample_data.catalog import CHANNELS, RUBRIC_BY_CHANNEL, RUBRICS
from orchestration.sample_data.clock import DAY
from orchestration.sample_data.context import Context
from orchestration.sample_data.ids import ids, interaction_ids

SAMPLE_RATE = (0.05, 0.04, 0.03, 0.05)  # voice, chat, email, social
EVALUATOR_TYPES = np.array(["qa", "supervisor", "peer", "auto"], dtype=object)
EVALUATOR_MIX = (0.6, 0.25, 0.05, 0.1)
NOT_APPLICABLE = 0.03  # a non-critical item left out of an evaluation


def _sample(rng: np.random.Generator, ctx: Context, frames: dict[int, pd.DataFrame]) -> pd.DataFrame:
    picked = []
    for channel, frame in frames.items():
        handled = frame["handled"].to_numpy() & (frame["agent"].to_numpy() >= 0)
        rows = np.flatnonzero(handled & (rng.random(len(frame)) < SAMPLE_RATE[channel]))
        hold = frame["hold"].to_numpy()[rows] if "hold" in frame else np.zeros(len(rows))
        picked.append(
            pd.DataFrame(
                {
                    "channel": channel,
                    "interaction_id": interaction_ids(channel, frame["seq"].to_numpy()[rows]).to_numpy(
                        zero_copy_only=False
                    ),
                    "client": frame["client"].to_numpy()[rows],
                    "agent": frame["agent"].to_numpy()[rows],
                    "start": frame["start"].to_numpy()[rows],
                    "resolved": frame["resolved"].to_numpy()[rows],
                    "had_hold": hold > 0,
                }
            )
        )
    sample = pd.concat(picked, ignore_index=True)
    n = len(sample)
    evaluated = np.floor(sample["start"].to_numpy() + rng.uniform(0.3, 4.0, n) * DAY)
    client = sample["client"].to_numpy()
    sample = sample.assign(
        evaluated_at=evaluated, day=ctx.clock.local_day(evaluated, client), row=np.arange(n)
    )
    return sample[evaluated < ctx.clock.window_end(client)].sort_values(
        ["evaluated_at", "row"], kind="stable"
    )


def _items(rng: np.random.Generator, ctx: Context, sample: pd.DataFrame):
    """Items (list of {item, score, max_score}), compliance flags and auto-fail per evaluation."""
    n = len(sample)
    quality = ctx.agents.quality[sample["agent"].to_numpy()]
    channel = sample["channel"].to_numpy()
    resolved = sample["resolved"].to_numpy()
    pci = (channel <= 1) & (rng.random(n) < 0.01)
    item_rows, names, scores, maxima = [], [], [], []
    failed = {"verification": np.zeros(n, bool), "compliance": np.zeros(n, bool)}
    for version in dict.fromkeys(RUBRIC_BY_CHANNEL.values()):
        uses = np.array([RUBRIC_BY_CHANNEL[CHANNELS[c]] == version for c in channel])
        for item in RUBRICS[version]:
            if item.is_critical:
                zero = rng.random(n) < 0.015 + 0.02 * (quality < -1)
                if item.item == "compliance":
                    zero |= pci
                score = np.where(zero, 0, item.max_score)
                present = uses.copy()
                failed[item.item] |= present & zero
            else:
                mean = 1 / (
                    1
                    + np.exp(
                        -(1.2 + 0.6 * quality + (0.8 * resolved - 0.4 if item.item == "resolution" else 0))
                    )
                )
                score = np.clip(np.round(item.max_score * (mean + rng.normal(0, 0.12, n))), 0, item.max_score)
                present = uses & (rng.random(n) >= NOT_APPLICABLE)
                if item.item == "hold_etiquette":
                    present &= (channel == 0) & sample["had_hold"].to_numpy()
            rows = np.flatnonzero(present)
            item_rows.append(rows)
            names.append(np.full(len(rows), item.item, dtype=object))
            scores.append(score[rows])
            maxima.append(np.full(len(rows), item.max_score))
    row = np.concatenate(item_rows)
    order = np.argsort(row, kind="stable")  # items grouped by evaluation, in rubric order
    items = pa.StructArray.from_arrays(
        [
            pa.array(np.concatenate(names)[order], pa.string()),
            pa.array(np.concatenate(scores)[order].astype(np.int64)),
            pa.array(np.concatenate(maxima)[order].astype(np.int64)),
        ],
        ["item", "score", "max_score"],
    )
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))]).astype(np.int32)
    flags_table = [
        ("missed_disclosure", failed["compliance"] & ~pci),
        ("failed_verification", failed["verification"]),
        ("pci_breach", pci),
    ]
    flag_row = np.concatenate([np.flatnonzero(mask) for _, mask in flags_table])
    flag_name = np.concatenate([np.full(mask.sum(), name, dtype=object) for name, mask in flags_table])
    flag_order = np.argsort(flag_row, kind="stable")
    flag_offsets = np.concatenate([[0], np.cumsum(np.bincount(flag_row, minlength=n))]).astype(np.int32)
    flags = pa.ListArray.from_arrays(pa.array(flag_offsets), pa.array(flag_name[flag_order], pa.string()))
    auto_fail = failed["verification"] | failed["compliance"]
    return pa.ListArray.from_arrays(pa.array(offsets), items), flags, auto_fail


def parts(ctx: Context, frames: dict[int, pd.DataFrame]) -> Iterator[p.Part]:
    """One gzipped JSONL file per local day of `evaluated_at`, all clients."""
    rng = ctx.rng("qa")
    sample = _sample(rng, ctx, frames).reset_index(drop=True)
    items, flags, auto_fail = _items(rng, ctx, sample)
    n = len(sample)
    agent = sample["agent"].to_numpy()
    kind = rng.choice(4, n, p=EVALUATOR_MIX)
    peer = rng.integers(0, len(ctx.agents), n)
    same_client = ctx.agents.client[peer] == ctx.agents.client[agent]
    kind = np.where((kind == 2) & ~same_client, 0, kind)
    analyst = np.char.add("QA", (10 * (sample["client"].to_numpy() + 1) + rng.integers(1, 7, n)).astype(str))
    evaluator = np.select(
        [kind == 0, kind == 1, kind == 2],
        [analyst, ctx.agents.supervisor_id[agent], ctx.agents.agent_id[peer]],
        "auto-qa",
    )
    channel = sample["channel"].to_numpy()
    for day, rows in pd.Series(np.arange(n)).groupby(sample["day"].to_numpy(), sort=True):
        rows = rows.to_numpy()
        take = pa.array(rows)
        client = sample["client"].to_numpy()[rows]
        columns = {
            "evaluation_id": p.text(ids("QA-", rows + 1, 8)),
            "client_id": p.text(np.array([c.client_id for c in ctx.clients], dtype=object)[client]),
            "interaction_id": p.text(sample["interaction_id"].to_numpy()[rows]),
            "channel": p.text(np.array(CHANNELS, dtype=object)[channel[rows]]),
            "agent_id": p.text(ctx.agents.agent_id[agent[rows]].astype(object)),
            "evaluator_id": p.text(evaluator[rows].astype(object)),
            "evaluator_type": p.text(EVALUATOR_TYPES[kind[rows]]),
            "evaluated_at": p.ts(sample["evaluated_at"].to_numpy()[rows]),
            "rubric_version": p.text(
                np.array([RUBRIC_BY_CHANNEL[CHANNELS[c]] for c in channel[rows]], dtype=object)
            ),
            "items": p.Col("arrow", items.take(take)),
            "compliance_flags": p.Col("arrow", flags.take(take)),
            "is_auto_fail": p.boolean(auto_fail[rows]),
        }
        yield p.Part(
            "qa_evaluations",
            int(day),
            "qa_evaluations",
            "jsonl",
            columns,
            client,
            local_time=True,
            compress=True,
        )

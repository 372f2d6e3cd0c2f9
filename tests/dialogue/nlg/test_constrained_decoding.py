"""Slot-constrained decoding: placeholders only from the input, each once, no early end, no digits."""

from __future__ import annotations

import torch

from dialogue.nlg.model import SlotConstraint


def test_constraint_masks_placeholders_eos_and_digits() -> None:
    # vocab: 0 pad, 1 eos, 2 "[sku]", 3 "[qty]", 4 "[eta]", 5 "word", 6 "7"
    banned = torch.zeros(7, dtype=torch.bool)
    banned[6] = True
    constraint = SlotConstraint([{2, 3}, {4}], [2, 3, 4], banned, eos_id=1, skip=1, num_beams=1)
    # row 0 already wrote [sku]; row 1 wrote nothing yet (position 0 is the decoder start, skipped)
    input_ids = torch.tensor([[0, 2, 5], [0, 5, 5]])
    scores = constraint(input_ids, torch.zeros(2, 7))
    row0, row1 = scores[0], scores[1]
    assert row0[2] == -float("inf")  # [sku] used once already
    assert row0[3] == 0  # [qty] still to come
    assert row0[4] == -float("inf")  # [eta] is not a fact of this reply
    assert row0[1] == -float("inf")  # cannot end before [qty]
    assert row1[4] == 0 and row1[2] == -float("inf") and row1[3] == -float("inf")
    assert row0[6] == -float("inf") and row1[6] == -float("inf")  # digits never
    done = constraint(torch.tensor([[0, 2, 3], [0, 4, 5]]), torch.zeros(2, 7))
    assert done[0][1] == 0 and done[1][1] == 0  # every given fact written: may end


def test_segments_allow_an_absent_fact_only_inside_and_must_close() -> None:
    # vocab: 0 pad, 1 eos, 2 "[sku]", 3 "[qty]", 4 "[eta]", 5 "word", 6 "{", 7 "}"
    banned = torch.zeros(8, dtype=torch.bool)
    constraint = SlotConstraint([{2}], [2, 3, 4], banned, eos_id=1, skip=1, num_beams=1, segment=(6, 7))
    outside = constraint(torch.tensor([[0, 2, 5]]), torch.zeros(1, 8))[0]
    assert outside[4] == -float("inf") and outside[3] == -float("inf")  # absent facts: not outside
    assert outside[7] == -float("inf") and outside[6] == 0  # nothing to close; may open
    opened = constraint(torch.tensor([[0, 2, 5, 6]]), torch.zeros(1, 8))[0]
    assert opened[4] == 0 and opened[3] == 0  # inside a segment (dropped when realised)
    assert opened[7] == -float("inf")  # no empty segment
    assert opened[6] == -float("inf") and opened[1] == -float("inf")  # no nesting, no end inside
    inside = constraint(torch.tensor([[0, 2, 6, 4]]), torch.zeros(1, 8))[0]
    assert inside[7] == 0 and inside[4] == -float("inf")  # may close; [eta] said once already
    closed = constraint(torch.tensor([[0, 2, 6, 4, 7]]), torch.zeros(1, 8))[0]
    assert closed[1] == 0 and closed[3] == -float("inf")


def test_a_reply_that_would_end_with_a_fact_unsaid_opens_a_segment() -> None:
    banned = torch.zeros(8, dtype=torch.bool)
    constraint = SlotConstraint([{2, 4}], [2, 3, 4], banned, eos_id=1, skip=1, num_beams=1, segment=(6, 7))
    scores = torch.zeros(1, 8)
    scores[0, 1] = 5.0  # the model wants to stop; [eta] is still unsaid
    out = constraint(torch.tensor([[0, 2, 5]]), scores)[0]
    assert int(out.argmax()) == 6
    # when it wants to go on, nothing is forced
    scores = torch.zeros(1, 8)
    scores[0, 5] = 5.0
    assert int(constraint(torch.tensor([[0, 2, 5]]), scores)[0].argmax()) == 5

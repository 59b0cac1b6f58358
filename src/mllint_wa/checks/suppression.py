"""LN: inline ignore comments — explained, used, and allowed."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.inline import Ignore, project_ignores
from mllint_wa.model import Risk, Violation
from mllint_wa.registry import find_rule, is_rule_code, rule
from mllint_wa.suggest import did_you_mean

_ROLES = ("MLOPS02-BP01",)


@rule(
    code="LN011",
    name="ignore-without-reason",
    risk=Risk.MEDIUM,
    summary="A `mllint-wa: ignore[…]` comment does not say why the finding is accepted.",
    fix="Write the reason after the brackets: `# mllint-wa: ignore[MD004] the card is in the "
    "model registry`.",
    lens_refs=_ROLES,
    requires_manifest=False,
    waivable=False,
)
def ignore_without_reason(ctx: ProjectContext) -> Iterator[Violation]:
    """An ignore is a risk someone accepted; without the reason, the next reader cannot tell
    whether it still holds. The ignore still suppresses its findings (as a checkov skip
    without a comment does), so that the finding is not reported twice: this rule reports
    the missing reason instead. Not reported when inline ignores are turned off."""
    if not ctx.options.inline_ignores:
        return
    for ignore in project_ignores(ctx):
        if ignore.selectors and not ignore.reason:
            yield Violation(
                f"`{ignore.shown()}` gives no reason: say why the finding is accepted",
                ignore.location,
                anchor=ignore.anchor(),
            )


@rule(
    code="LN012",
    name="unused-ignore",
    risk=Risk.LOW,
    summary="A `mllint-wa: ignore[…]` comment suppresses no finding, or names no rule.",
    fix="Delete the ignore, or the rules in it that no longer fire; correct a misspelt rule.",
    lens_refs=_ROLES,
    requires_manifest=False,
    sees_findings=True,
    waivable=False,
)
def unused_ignore(ctx: ProjectContext) -> Iterator[Violation]:
    """An ignore left behind after its finding was fixed would silently swallow the next
    finding of that rule on that line. Like ruff's RUF100, an ignore is judged only for the
    rules that ran to the end in this run: one for a rule left out by `--select`, the stage
    or a failure is not reported. An ignore that names no rule (a misspelt name, no
    brackets) or a rule whose findings cannot be suppressed is reported too; one naming a
    well-formed code that no installed rule has (a plugin's, a newer release's) is left
    alone. Not reported when inline ignores are turned off."""
    if not ctx.options.inline_ignores:
        return
    for ignore in project_ignores(ctx):
        if not ignore.selectors:
            yield Violation(
                f"`{ignore.shown()}` names no rule: write `mllint-wa: ignore[CODE] reason`",
                ignore.location,
                anchor=ignore.anchor(),
            )
        for selector in ignore.selectors:
            message = _unused(ctx, ignore, selector)
            if message:
                yield Violation(message, ignore.location, anchor=ignore.anchor(selector))


def _unused(ctx: ProjectContext, ignore: Ignore, selector: str) -> str:
    """Why one rule of an ignore is unused; empty when it is not."""
    shown = ignore.shown()
    named = find_rule(selector, ctx.rules)
    if named is None:
        if is_rule_code(selector):
            return ""
        hint = did_you_mean(selector, [r.name for r in ctx.rules])
        return f"`{shown}`: `{selector}` names no rule{hint}"
    if not named.waivable:
        return f"`{shown}`: {named.code} ({named.name}) findings cannot be suppressed"
    if named.code in ctx.ran and not any(
        code == named.code and ignore.covers(location) for code, location in ctx.reported
    ):
        return f"`{shown}`: no {named.code} ({named.name}) finding on this line or the next"
    return ""


@rule(
    code="LN013",
    name="inline-ignore-disabled",
    risk=Risk.LOW,
    summary="Inline ignores are turned off, so this `mllint-wa: ignore[…]` comment suppresses "
    "nothing.",
    fix="Fix the finding, or accept it with a `[waivers.CODE]` entry in lens.toml (reason, "
    "owner, expiry); then delete the comment.",
    lens_refs=_ROLES,
    requires_manifest=False,
    waivable=False,
)
def inline_ignore_disabled(ctx: ProjectContext) -> Iterator[Violation]:
    """A platform team may forbid inline ignores (`inline-ignores = false`, or
    `--no-inline-ignores` in CI), so that accepting a risk goes through a waiver with an
    owner and an expiry date. The ignores then suppress nothing and each is reported here,
    next to the finding it meant to hide, so that nobody wonders why it has no effect."""
    if ctx.options.inline_ignores:
        return
    for ignore in project_ignores(ctx):
        yield Violation(
            f"`{ignore.shown()}` suppresses nothing: inline ignores are turned off "
            "(`inline-ignores = false` or `--no-inline-ignores`)",
            ignore.location,
            anchor=ignore.anchor(),
        )

"""Lesson 2: a small replicated sweep of governance modes; bands and confidence intervals."""

# ruff: noqa: E501 (markdown table rows in the cell texts cannot wrap)

NAME = "02_informal_vs_formal"

CELLS = [
    (
        "markdown",
        """
        # Lesson 2: Informal network or formal organisation? Why one run proves nothing

        The RESIST regions report: *"Informal networks provide momentum in early phases, while
        gradual structuring supports sustainability and scaling."* Is that true in the model, and
        how would we know? In this lesson we compare four ways of **governing** a cluster:

        | mode | what it means in the model |
        |---|---|
        | `informal` | an open network run by its members together; no office, no fees, no entry rules; cheap, but it can coordinate only a few members before it is overloaded |
        | `lead_organisation` | the member with most capacity coordinates; it handles more members, but the other sectors gain a little less |
        | `formal` | an office from day one (an association with staff): costs money every month, charges a member fee and has entry criteria, but coordinates many members, and while it is paid its staff recruit organisations one by one |
        | `gradual` | starts informal and sets up the office once it has 15 members who trust each other enough |

        **In this lesson you will** learn what a *replicate* is, why a single run can mislead
        you, and how to read *bands* and *95% confidence intervals*.
        """,
    ),
    (
        "code",
        """
        import matplotlib.pyplot as plt
        import pandas as pd

        from csei_sim import presets, replicates
        from csei_sim.run import simulate

        %matplotlib inline
        """,
    ),
    (
        "markdown",
        """
        ## Step 1: Four scenarios

        A **scenario** is one complete set of choices. Ours differ only in the governance mode;
        the region is Västerbotten (40 organisations), the network applies for project grants (so
        a formal office has some money to live on) and gets light facilitation. We simulate five
        years, 2025 to 2029 (60 months).
        """,
    ),
    (
        "code",
        """
        MODES = ["informal", "lead_organisation", "formal", "gradual"]
        STEPS = 60
        scenarios = {
            mode: presets.compose(
                region="vasterbotten",
                governance=mode,
                funding="project_grants",
                facilitation="light",
            )
            for mode in MODES
        }
        """,
    ),
    (
        "markdown",
        """
        ## Step 2: One run per scenario

        Suppose we run each scenario once and rank them by their members at the end of 2026. Then
        we do it again with another seed, and once more.
        """,
    ),
    (
        "code",
        """
        def members_at(ts, date):
            return int(ts.loc[ts["date"] == date, "members"].iloc[0])


        for seed in (1, 2, 3):
            result = {
                mode: members_at(simulate(params, seed=seed, steps=STEPS).timeseries, "2026-12")
                for mode, params in scenarios.items()
            }
            ranking = sorted(result, key=result.get, reverse=True)
            print(f"seed {seed}: " + "  >  ".join(f"{mode} ({result[mode]})" for mode in ranking))
        """,
    ),
    (
        "markdown",
        """
        Does the ranking stay the same from seed to seed? Do the numbers?

        ## Step 3: What is a replicate?

        Much in the model is decided by chance, just as in a real region: which organisations
        already know each other, how easily each one is convinced, who sits next to whom at a
        dialogue event, whether a joint project succeeds. The **seed** fixes all these chances.
        A **replicate** is one more run of *the same scenario* with *a different seed*: another
        possible history of the same region under the same rules.

        One run is one story. It cannot tell us whether a result comes from the scenario or from
        the luck of that story. Many replicates can: what stays the same across them belongs to
        the scenario, what changes is luck.

        We run every scenario with the same 12 seeds (0 to 11), using
        `replicates.run_scenarios`. The result is one **tidy table**: one row per scenario, seed
        and month.
        """,
    ),
    (
        "code",
        """
        SEEDS = range(12)
        runs = replicates.run_scenarios(scenarios, seeds=SEEDS, steps=STEPS)
        print(f"{len(runs)} rows: {len(MODES)} scenarios x {len(SEEDS)} seeds x {STEPS + 1} months")
        runs[["scenario", "seed", "step", "date", "members", "mean_member_trust"]].head()
        """,
    ),
    (
        "markdown",
        """
        ## Step 4: Look at all the runs

        Each thin line is one replicate. Same rules, different luck.
        """,
    ),
    (
        "code",
        """
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
        for ax, mode in zip(axes, ["informal", "formal"]):
            for seed, one in runs[runs["scenario"] == mode].groupby("seed"):
                ax.plot(pd.to_datetime(one["date"]), one["members"], color="tab:blue", alpha=0.4)
            ax.set_title(f"{mode}: {len(SEEDS)} replicates")
        axes[0].set_ylabel("members")
        fig.autofmt_xdate()
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        ## Step 5: Bands and confidence intervals

        A picture with dozens of lines is hard to read, so we summarise the replicates month by
        month in three ways:

        - the **mean** (solid line): the average of the runs;
        - the **band** (light shading): the range in which the middle 95% of single runs fall. It
          shows *how different one history can be from another*. A new run would very likely fall
          inside it. More replicates do **not** make it narrower: the world does not get less
          random because we simulate it more often.
        - the **95% confidence interval of the mean** (dark shading): how sure we are about the
          average. Roughly: if we repeated the whole experiment with fresh seeds many times, the
          interval would contain the true average of the scenario 95 times out of 100. More
          replicates **do** make it narrower.

        The dashed grey line repeats the informal mean in every panel for comparison.
        """,
    ),
    (
        "code",
        """
        def draw_band(ax, runs, scenario, column="members", colour="tab:blue"):
            stats = replicates.band(runs[runs["scenario"] == scenario], column)
            month = pd.to_datetime(stats["date"])
            ax.fill_between(month, stats["lower"], stats["upper"], color=colour, alpha=0.2,
                            label="middle 95% of runs")
            ax.fill_between(month, stats["ci_lower"], stats["ci_upper"], color=colour, alpha=0.5,
                            label="95% CI of the mean")
            ax.plot(month, stats["mean"], color=colour, label="mean")
            return stats


        fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True, sharey=True)
        informal = replicates.band(runs[runs["scenario"] == "informal"], "members")
        colours = ["tab:blue", "tab:orange", "tab:red", "tab:green"]
        for ax, mode, colour in zip(axes.flat, MODES, colours):
            draw_band(ax, runs, mode, colour=colour)
            ax.plot(pd.to_datetime(informal["date"]), informal["mean"], color="grey", ls="--")
            ax.set_title(mode)
        axes[0, 0].legend(loc="lower right", fontsize=8)
        axes[0, 0].set_ylabel("members")
        axes[1, 0].set_ylabel("members")
        fig.autofmt_xdate()
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        **What to look for.** Which mode has the widest light band, and when? Where the band
        reaches far below the mean, some histories fizzle while others take off; the mean then
        lies where few single runs are, so look at the single runs too (Step 4). What would a
        wide band mean for a real region, which lives only one history?
        """,
    ),
    (
        "markdown",
        """
        ## Step 6: Compare at one moment

        `replicates.compare` gives, for one month, the mean of each scenario with its 95%
        confidence interval (`ci_lower` to `ci_upper`), the standard deviation between runs
        (`sd`) and the number of runs (`n`). We look early (end of 2025) and late (end of 2029).

        **How to read two intervals.** If the intervals of two scenarios do **not overlap**, the
        difference between their means is very unlikely to be luck. If they **overlap a lot**,
        these runs cannot tell the two apart; that does *not* prove that they are equal, only
        that we would need more replicates (or that the difference is small).
        """,
    ),
    (
        "code",
        """
        early = replicates.compare(runs, "members", "2025-12")
        late = replicates.compare(runs, "members", "2029-12")
        pd.concat({"end of 2025": early, "end of 2029": late}, axis=1).round(1)
        """,
    ),
    (
        "code",
        """
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True)
        for ax, (label, table) in zip(axes, [("end of 2025", early), ("end of 2029", late)]):
            below = table["mean"] - table["ci_lower"]
            above = table["ci_upper"] - table["mean"]
            ax.errorbar(table["mean"], table.index, xerr=[below, above], fmt="o", capsize=4)
            ax.set_title(f"Members, {label}: mean and 95% CI")
            ax.set_xlabel("members")
        axes[0].invert_yaxis()
        fig.tight_layout()


        def verdict(table, a, b):
            lo_a, hi_a = table.loc[a, ["ci_lower", "ci_upper"]]
            lo_b, hi_b = table.loc[b, ["ci_lower", "ci_upper"]]
            if hi_a < lo_b or hi_b < lo_a:
                return "do not overlap: the difference is very unlikely to be luck"
            return "overlap: these runs cannot tell the two apart"


        for label, table in [("end of 2025", early), ("end of 2029", late)]:
            print(f"{label}: informal vs formal intervals {verdict(table, 'informal', 'formal')}")
        """,
    ),
    (
        "markdown",
        """
        Does the same mode lead early and late? Compare your answer with the report's sentence at
        the top of this lesson.

        ## Step 7: How many replicates do we need?

        We pretend we had run only 3 or 6 replicates (the first seeds of our 12) and watch two
        numbers at the end of 2025, averaged over the four modes: the width of the confidence
        interval, and the standard deviation between runs.
        """,
    ),
    (
        "code",
        """
        rows = []
        for n in (3, 6, 12):
            table = replicates.compare(runs[runs["seed"] < n], "members", "2025-12")
            rows.append({
                "replicates": n,
                "CI width": (table["ci_upper"] - table["ci_lower"]).mean(),
                "sd between runs": table["sd"].mean(),
            })
        pd.DataFrame(rows).set_index("replicates").round(1)
        """,
    ),
    (
        "markdown",
        """
        The confidence interval narrows roughly like 1 / √n: four times as many replicates halve
        its width. The standard deviation between runs does not shrink; it only gets estimated
        more precisely. With very few replicates the interval is wide *and* itself uncertain.

        ## Step 8: "Better" depends on what you measure

        So far we counted members. A region might care more about what the members do together.
        Here are two more outcomes at the end of 2029: joint projects completed so far, and
        organisations that joined and left again.
        """,
    ),
    (
        "code",
        """
        outcomes = {
            "joint projects (total)": replicates.compare(runs, "joint_projects_total", "2029-12"),
            "exited": replicates.compare(runs, "exited", "2029-12"),
        }
        means = {name: table[["mean", "ci_lower", "ci_upper"]] for name, table in outcomes.items()}
        pd.concat(means, axis=1).round(1)
        """,
    ),
    (
        "markdown",
        """
        ## Exercises

        1. **Pool size.** Rerun the comparison with a larger region:
           `replicates.run_scenarios(scenarios, seeds=range(8), steps=STEPS, n_organisations=120)`.
           Does the ranking at the end of 2029 change? At what size would you expect shared,
           informal governance to run into trouble, and why? (With only a few runs the intervals
           are wide; one may even reach an impossible value such as more than 120 members. That
           is a sign that you need more replicates.)
        2. **More replicates.** Use 24 seeds instead of 12 (it takes twice as long). Measure the
           width of the band and of the confidence interval at the end of 2025. Which one
           narrowed? Explain why in one sentence each.
        3. **Choose the outcome.** Which single outcome would you use to judge a cluster after
           five years: members, joint projects, `blau_diversity` (how evenly the sectors are
           mixed), exits, or something else? Compare the four modes on it and defend your choice.
        4. **When to formalise.** The gradual mode sets up its office at 15 members. Try
           `formalise_min_members=8` and `formalise_min_members=30` (pass them like
           `n_organisations` above). What changes, early and late?
        5. **Discuss.** A newspaper writes: *"Region X set up a formal cluster office right away
           and the cluster failed. Formalising early is a mistake."* Using what you learned about
           single runs, what would you answer? What evidence would convince you?

        Use the cell below as a starting point.
        """,
    ),
    (
        "code",
        """
        # Your turn: e.g. exercise 1 with 4 seeds (slower: three times the organisations)
        bigger = replicates.run_scenarios(
            scenarios, seeds=range(4), steps=STEPS, n_organisations=120
        )
        replicates.compare(bigger, "members", "2029-12").round(1)
        """,
    ),
]

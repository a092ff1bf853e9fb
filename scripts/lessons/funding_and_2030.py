"""Lesson 3: what happens when a committed grant ends, and designing a scenario that survives."""

# ruff: noqa: E501 (markdown table rows in the cell texts cannot wrap)

NAME = "03_funding_and_2030"

CELLS = [
    (
        "markdown",
        """
        # Lesson 3: Funding until 2030, and after

        In Hamburg, the Alliance for Social Entrepreneurship had its *"request for funding by the
        Hamburg state ... considered and financial support granted until 2030 which gives planning
        stability and a long-term perspective"* (RESIST report). Good news, but every grant ends.
        What happens to a cluster in the months after its main grant stops, and how could it be
        prepared?

        **In this lesson you will**
        1. follow the money in one run until two years after the grant ends,
        2. compare funding scenarios over many replicates,
        3. design a scenario that survives the end of the grant, and say what it costs.

        You should know from lesson 2 what a replicate, a band and a confidence interval are.
        """,
    ),
    (
        "code",
        """
        import copy

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
        ## Step 1: The funding presets

        Each funding preset is a choice of a few numbers: a *committed grant* (an amount per month
        from a start month to an end month, stopping at once or phased out over `taper_months`),
        *project grants* won now and then (`grant_win_rate` is the monthly chance while
        applying), and *member fees* per member and month. The report gives no amounts; all
        amounts are assumptions.
        """,
    ),
    (
        "code",
        """
        names = presets.options("funding")
        pd.DataFrame({name: presets.load("funding", name) for name in names}).T.fillna("")
        """,
    ),
    (
        "markdown",
        """
        ## Step 2: The Hamburg case

        We use the Hamburg region preset (120 organisations, an engaged core of 12) with a formal
        alliance (an office, a member fee), light facilitation and the grant until the end of
        2030. One more assumption matters a lot: **who pays the facilitator?** Here we assume the
        alliance pays its coordinator from its own budget, that is, mostly from the grant
        (`facilitation_paid_by="budget"`). We simulate until the end of 2032, two years after the
        grant ends.
        """,
    ),
    (
        "code",
        """
        hamburg = presets.compose(
            region="hamburg", governance="formal", funding="committed_2030", facilitation="light"
        )
        hamburg["facilitation"]["facilitation_paid_by"] = "budget"
        STEPS = 96  # January 2025 to December 2032
        GRANT_END = pd.Timestamp("2030-12")

        ts = simulate(hamburg, seed=1, steps=STEPS).timeseries
        month = pd.to_datetime(ts["date"])
        sources = ["committed_grant", "project_grants", "fees", "sponsor"]

        fig, (money, bank, people) = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
        money.stackplot(month, *[ts["income_" + s] for s in sources], labels=sources)
        money.plot(month, ts["spending_total"], color="black", label="spending")
        money.set_title("Income by source and total spending (EUR per month)")
        money.legend(loc="upper right", fontsize=8)
        bank.plot(month, ts["balance"], color="black")
        bank.set_title("Balance (EUR)")
        people.plot(month, ts["members"], label="members")
        people.plot(month, ts["exited"], label="exited (left the cluster)")
        people.set_title("Organisations")
        people.legend(loc="upper left", fontsize=8)
        for ax in (money, bank, people):
            ax.axvline(GRANT_END, color="grey", linestyle=":")
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        The dotted line is the end of 2030. Follow the chain after it:

        1. the grant stops, and fees are now the only income;
        2. the balance runs down, until the alliance can no longer pay both its office and its
           facilitator;
        3. without a paid office and facilitator it coordinates fewer members (the coordination
           load rises) and offers fewer services;
        4. members weigh what the cluster gives them against what it costs them; when the value
           falls below the cost, some leave, and with them go trusted contacts that kept others
           in.

        Members also look **ahead**. The model's *planning stability* says for how much of the
        next three years the income is guaranteed. It starts to fall three years *before* the end,
        long before any money stops.
        """,
    ),
    (
        "code",
        """
        later = ts.index >= 1  # these are first measured in month 1
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.8))
        left.plot(month[later], ts["planning_stability"][later], label="planning stability")
        left.plot(month[later], ts["service_level"][later], label="service level")
        left.set_ylim(0, 1.05)
        left.set_title("Planning stability and services (0 to 1)")
        left.legend(loc="lower left", fontsize=8)
        right.plot(month[later], ts["coordination_load"][later], color="tab:red")
        right.axhline(1, color="grey", linestyle="--")
        right.set_title("Coordination load (above 1 = overloaded)")
        for ax in (left, right):
            ax.axvline(GRANT_END, color="grey", linestyle=":")
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        ## Step 3: Is it more than one unlucky history?

        One run is one story (lesson 2). We compare three scenarios over 8 replicates each:

        - `committed_2030`: the grant to the end of 2030, stopping at once;
        - `taper`: the same grant, phased out over its last two years;
        - `none`: no grant at all.

        We measure **survival**: members two years after the grant ends divided by members when
        it ends. 1.0 means everybody stayed; 0.5 means half of the members left.
        """,
    ),
    (
        "code",
        """
        SEEDS = range(8)


        def with_funding(name):
            params = copy.deepcopy(hamburg)
            params["funding"] = presets.load("funding", name)
            return params


        runs = replicates.run_scenarios(
            {name: with_funding(name) for name in ["committed_2030", "taper", "none"]},
            seeds=SEEDS,
            steps=STEPS,
        )

        fig, ax = plt.subplots(figsize=(9, 4.5))
        colours = {"committed_2030": "tab:blue", "taper": "tab:orange", "none": "tab:grey"}
        for name, colour in colours.items():
            stats = replicates.band(runs[runs["scenario"] == name], "members")
            when = pd.to_datetime(stats["date"])
            ax.fill_between(when, stats["lower"], stats["upper"], color=colour, alpha=0.15)
            ax.fill_between(when, stats["ci_lower"], stats["ci_upper"], color=colour, alpha=0.4)
            ax.plot(when, stats["mean"], color=colour, label=name)
        ax.axvline(GRANT_END, color="grey", linestyle=":")
        ax.set_ylabel("members")
        ax.set_title("Members: mean, 95% CI (dark) and middle 95% of runs (light)")
        ax.legend(loc="upper left")
        fig.tight_layout()
        """,
    ),
    (
        "code",
        """
        def survival(runs, end="2030-12", later="2032-12"):
            at_end = replicates.at(runs, end).set_index(["scenario", "seed"])["members"]
            after = replicates.at(runs, later).set_index(["scenario", "seed"])["members"]
            return (after / at_end).rename("survival").reset_index()


        grant_runs = runs[runs["scenario"] != "none"]
        pd.concat(
            {
                "members end of 2030": replicates.compare(grant_runs, "members", "2030-12"),
                "survival to end of 2032": replicates.compare(survival(grant_runs), "survival"),
            },
            axis=1,
        ).round(2)
        """,
    ),
    (
        "markdown",
        """
        Did the taper help? Note that the clusters in this model do not react to a coming end
        on their own: they apply for no more projects and raise no fees unless you set them to.
        A taper only changes *when* the money goes; whether that helps, the figure shows.

        ## Step 4: Design a scenario that survives

        What could replace the grant? The report's regions and the research on networks suggest
        a few levers. We try each one on its own, starting from the Hamburg case:

        | design | change | idea |
        |---|---|---|
        | `+ project grants` | `grant_win_rate=0.08` | apply for projects all along, so that income does not hang on one source |
        | `+ member fee` | `membership_fee=20` (EUR per month, on top of the office's fee) | members carry more of the cost themselves |
        | `sponsor pays facilitator` | `facilitation_paid_by="sponsor"` | a partner (e.g. a university or a foundation) pays the coordinator separately, so the core task survives the grant |

        We also count the **outside money** each design needs from 2025 to 2032: committed
        grant, project grants and sponsor, but not the fees members pay.
        """,
    ),
    (
        "code",
        """
        def variant(group, **changes):
            params = copy.deepcopy(hamburg)
            params[group].update(changes)
            return params


        designs = {
            "+ project grants": variant("funding", grant_win_rate=0.08),
            "+ member fee": variant("funding", membership_fee=20.0),
            "sponsor pays facilitator": variant("facilitation", facilitation_paid_by="sponsor"),
        }
        design_runs = pd.concat(
            [runs[runs["scenario"] == "committed_2030"],
             replicates.run_scenarios(designs, seeds=SEEDS, steps=STEPS)],
            ignore_index=True,
        )

        outside = ["income_committed_grant", "income_project_grants", "income_sponsor"]
        spent = design_runs.groupby(["scenario", "seed"])[outside].sum().sum(axis=1) / 1000
        spent = spent.rename("outside money (k EUR)").reset_index()

        results = pd.concat(
            {
                "survival to end of 2032": replicates.compare(survival(design_runs), "survival"),
                "members end of 2032": replicates.compare(design_runs, "members", "2032-12"),
                "outside money (k EUR)": replicates.compare(spent, "outside money (k EUR)"),
            },
            axis=1,
        )
        results.round(2)
        """,
    ),
    (
        "code",
        """
        table = results["survival to end of 2032"]
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.errorbar(
            table["mean"], table.index,
            xerr=[table["mean"] - table["ci_lower"], table["ci_upper"] - table["mean"]],
            fmt="o", capsize=4,
        )
        ax.axvline(0.9, color="grey", linestyle=":", label="90% of members kept")
        ax.set_xlabel("survival: members at end of 2032 / members at end of 2030")
        ax.set_title("Which design survives the end of the grant? (mean and 95% CI)")
        ax.legend(loc="lower right", fontsize=8)
        ax.invert_yaxis()
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        Read the table and the figure together. Which designs keep at least 90% of the members?
        Are their confidence intervals clear of the baseline's? What does each one cost in outside
        money, and who pays it? Remember that every amount here is an assumption: the model helps
        you think through *mechanisms*, it does not forecast Hamburg.

        ## Exercises

        1. **Design challenge.** Find a design that keeps at least 90% of the members two years
           after the grant ends while using as little outside money as possible. You may combine
           levers: `grant_win_rate`, `membership_fee`, `taper_months`, `committed_amount`,
           `facilitation_paid_by`, `facilitation_hours`, or the governance mode. Report survival
           and outside money with their confidence intervals.
        2. **The taper.** In Step 3, did phasing out the grant help? Combine the taper with one
           of the designs of Step 4. Is the combination better than either alone? Why?
        3. **An early cliff.** Use `with_funding("cliff")`: the same grant ends three years
           earlier, at the end of 2027. Measure survival from the end of 2027 to the end of 2029
           (`survival(runs, "2027-12", "2029-12")`). Does a young cluster lose its grant worse or
           better than an older one?
        4. **Trust instead of money.** Can trust alone carry a cluster? Rerun the baseline with
           `initial_trust=0.7` (pass it to `run_scenarios` like `steps`). What changes after 2030?
        5. **Discuss.** You advise the Hamburg state government in 2027. What would you ask the
           alliance to do between 2027 and 2030, and how would you know it is working before the
           money stops? (Hint: look again at planning stability.)

        Use the cell below as a starting point.
        """,
    ),
    (
        "code",
        """
        # Your turn: e.g. exercise 1, combining two levers
        mine = variant("funding", grant_win_rate=0.05, membership_fee=10.0)
        my_runs = replicates.run_scenarios({"my design": mine}, seeds=range(4), steps=STEPS)
        replicates.compare(survival(my_runs), "survival").round(2)
        """,
    ),
]

"""Lesson 1: run one region, read membership, trust and budget, change one lever."""

NAME = "01_first_cluster"

CELLS = [
    (
        "markdown",
        """
        # Lesson 1: Your first cluster

        A **Cluster of Social and Ecological Innovation (CSEI)** is a regional network in which
        municipalities, NGOs, firms and universities work together on social and ecological
        innovation. In 2025 six European regions tried to build one (the RESIST project). This
        model imitates how such a cluster forms.

        **How the model works, in five sentences.**
        Each *organisation* in the region is either an *outsider* (has not heard of the cluster),
        *aware* (has heard of it), a *member*, or *exited* (was a member and left). Once a month
        every organisation looks at its trusted contacts: if enough of them are already in, it
        considers joining, and it joins if it expects more benefit (contacts, services, money, a
        shared mission) than cost (time, fees). Members who are disappointed may leave. Members
        work on joint projects; success builds trust, failure destroys it. A paid *facilitator*
        spends hours on outreach, dialogue events and mission work.

        **In this lesson you will**
        1. choose a region and run the model for three years,
        2. read three pictures: who joined, how trust developed, where the money went,
        3. change one thing (the facilitator) and compare.

        Run the cells from top to bottom with **Shift + Enter**.
        """,
    ),
    (
        "code",
        """
        import matplotlib.pyplot as plt
        import pandas as pd

        from csei_sim import CSEIModel, plots, presets

        %matplotlib inline
        """,
    ),
    (
        "markdown",
        """
        ## Step 1: Choose a region

        The model does not know any region by itself: every region is a set of numbers (how many
        organisations, how many of each sector, how much they trust each other ...). Named sets of
        numbers are called **presets**. There are presets for the region, for how the cluster is
        governed, for where its money comes from, and for how much facilitation it gets.
        """,
    ),
    (
        "code",
        """
        for group in ("region", "governance", "funding", "facilitation"):
            print(f"{group:>12}:", ", ".join(presets.options(group)))
        """,
    ),
    (
        "markdown",
        """
        We start with **Västerbotten** (Sweden). The RESIST report says: *"What started as four or
        five engaged actors has grown quickly ... By the end of 2025, the network consists of 15–20
        organisations"*, and *"The work is still carried out without a formal organisation"*.

        Here are the numbers of the Västerbotten preset. In the preset file each number carries a
        note saying whether it comes from the report or is an assumption of the modellers; for
        example `core_size` (the engaged actors at the start) is 5, from the report.
        """,
    ),
    (
        "code",
        """
        pd.Series(presets.load("region", "vasterbotten"), name="vasterbotten").to_frame()
        """,
    ),
    (
        "markdown",
        """
        ## Step 2: Run the model

        We combine the region with three more choices:

        - `governance="informal"`: an open network with no office, as in the report;
        - `funding="project_grants"`: the report names no money for Västerbotten. So that we have
          a budget to look at, we **assume** the network applies for small project grants;
        - `facilitation="light"`: about one day a week of facilitation (40 hours a month), paid by
          a sponsor.

        `rng=1` is the **seed**: the starting point of the random numbers. Who knows whom, who
        meets at an event, whether a project succeeds: all of this is drawn at random. The same
        seed gives exactly the same history every time you run it. One step of the model is one
        month; 36 steps take us from January 2025 to December 2027.
        """,
    ),
    (
        "code",
        """
        params = presets.compose(
            region="vasterbotten",
            governance="informal",
            funding="project_grants",
            facilitation="light",
        )
        model = CSEIModel(params, rng=1, steps=36)
        model.run()
        ts = model.timeseries()  # one row per month (row 0 is the start)
        ts[["date", "members", "aware", "outsiders", "exited"]].iloc[[0, 6, 12, 24, 36]]
        """,
    ),
    (
        "markdown",
        """
        ## Step 3: Who joined?

        The coloured areas are the members of each sector, stacked on top of each other, so the
        top edge is the total number of members. The dashed line counts the organisations that
        have heard of the cluster but have not (yet) joined.
        """,
    ),
    (
        "code",
        """
        fig = plots.membership_figure(ts, title="Västerbotten, one run: members by sector")
        """,
    ),
    (
        "code",
        """
        end_2025 = ts[ts["date"] == "2025-12"].iloc[0]
        print(f"Members at the end of 2025 in this run: {end_2025['members']}")
        print("The report: 15-20 organisations by the end of 2025")
        for sector in ("municipality", "ngo", "firm", "university"):
            print(f"  {sector:>12}: {end_2025['members_' + sector]}")
        """,
    ),
    (
        "markdown",
        """
        The model also keeps a diary of **events**: every join, exit, pilot project and
        formalisation, with the month and the organisation. Here we count joins and exits per
        sector over the three years.
        """,
    ),
    (
        "code",
        """
        events = pd.DataFrame(model.events)
        moves = events[events["kind"].isin(["join", "exit"])]
        pd.crosstab(moves["detail"], moves["kind"], margins=True, margins_name="total")
        """,
    ),
    (
        "markdown",
        """
        ## Step 4: Trust and shared goals

        - **Trust among members** (0 to 1): the average trust on the ties between members. It
          grows when joint projects succeed and when people meet at dialogue events; it fades
          slowly without contact.
        - **Goal consensus** (0 to 1): how close the members' visions are to the shared mission.
          Mission work by the facilitator pulls visions together.
        - **Coordination load**: members divided by how many members the cluster can coordinate
          without strain. Above 1 (dotted line) the network is overloaded: meetings get crowded,
          joint work gets harder, and membership is worth less.
        """,
    ),
    (
        "code",
        """
        month = pd.to_datetime(ts["date"])
        later = ts.index >= 1  # consensus and load are first measured in month 1
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
        left.plot(month, ts["mean_member_trust"], label="trust among members")
        left.plot(month[later], ts["goal_consensus"][later], label="goal consensus")
        left.set_ylim(0, 1)
        left.set_title("Trust and shared goals (0 to 1)")
        left.legend()
        right.plot(month[later], ts["coordination_load"][later], color="tab:red")
        right.axhline(1, color="grey", linestyle=":")
        right.set_title("Coordination load (above 1 = overloaded)")
        fig.autofmt_xdate()
        fig.tight_layout()
        """,
    ),
    (
        "markdown",
        """
        ## Step 5: The budget

        Left: the money that comes in each month, by source. The *sponsor* pays the facilitator;
        *project grants* arrive when an application succeeds and last two years. Middle: what the
        money is spent on. Right: the **balance**, the money left in the bank at the end of each
        month. The cluster can never spend more than it has.
        """,
    ),
    (
        "code",
        """
        income = {"committed_grant": "tab:blue", "project_grants": "tab:cyan", "fees": "tab:olive",
                  "sponsor": "tab:purple"}
        spending = {"facilitation": "tab:red", "office": "tab:brown", "services": "tab:green"}
        fig, (inc, out, bank) = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
        inc.stackplot(month, *[ts["income_" + s] for s in income], labels=list(income),
                      colors=list(income.values()))
        inc.set_title("Income per month (EUR)")
        inc.legend(loc="upper left", fontsize=8)
        inc.set_ylim(0, 1.4 * ts["income_total"].max())
        out.stackplot(month, *[ts["spending_" + p] for p in spending], labels=list(spending),
                      colors=list(spending.values()))
        out.set_title("Spending per month (EUR)")
        out.legend(loc="upper left", fontsize=8)
        bank.plot(month, ts["balance"], color="black")
        bank.set_title("Balance (EUR)")
        fig.autofmt_xdate()
        fig.tight_layout()
        print("Months with a project grant running:", int((ts["active_grants"] > 0).sum()))
        """,
    ),
    (
        "markdown",
        """
        ## Step 6: Change one lever

        What if nobody is paid to facilitate? We run the same region with `facilitation="none"`
        and **keep everything else the same, including the seed**. Then the organisations, their
        ties and their thresholds at the start are identical, and a difference can only come from
        the facilitator, or from the random events that follow differently once the histories
        part.
        """,
    ),
    (
        "code",
        """
        no_facilitator = presets.compose(
            region="vasterbotten",
            governance="informal",
            funding="project_grants",
            facilitation="none",
        )
        ts_none = CSEIModel(no_facilitator, rng=1, steps=36).run().timeseries()

        fig, ax = plt.subplots(figsize=(8, 4))
        ax.plot(month, ts["members"], label="light facilitation (40 hours a month)")
        ax.plot(month, ts_none["members"], label="no facilitation")
        ax.set_ylabel("members")
        ax.set_title("Same region, same seed, one lever changed")
        ax.legend()
        fig.autofmt_xdate()

        end = ["members", "aware", "mean_member_trust", "goal_consensus", "joint_projects_total"]
        pd.DataFrame({"light": ts[end].iloc[-1], "none": ts_none[end].iloc[-1]}).round(2)
        """,
    ),
    (
        "markdown",
        """
        ## Step 7: Was it luck?

        We compared **one** run with **one** run. Perhaps seed 1 was a lucky (or unlucky) history.
        Let us repeat the comparison with five different seeds. Each seed is a different possible
        history of the same region.
        """,
    ),
    (
        "code",
        """
        rows = []
        for seed in range(1, 6):
            for label, choice in [("light", params), ("none", no_facilitator)]:
                run = CSEIModel(choice, rng=seed, steps=36).run().timeseries()
                members = run["members"].iloc[-1]
                rows.append({"seed": seed, "facilitation": label, "members": members})
        table = pd.DataFrame(rows).pivot(index="seed", columns="facilitation", values="members")
        table["difference"] = table["light"] - table["none"]
        table
        """,
    ),
    (
        "markdown",
        """
        Look at the column `difference`. Is it the same for every seed? Does it ever change sign?
        Lesson 2 shows how to turn many runs into a fair comparison.

        **Tip.** Instead of editing presets you can change any single number directly, e.g.
        `CSEIModel(params, rng=1, steps=36, initial_trust=0.3)`. If you misspell a name, the model
        stops and tells you which names exist:
        """,
    ),
    (
        "code",
        """
        try:
            CSEIModel(params, rng=1, initial_trsut=0.3)
        except ValueError as err:
            print(str(err)[:160], "...")
        """,
    ),
    (
        "markdown",
        """
        ## Exercises

        1. **Low trust.** Run Västerbotten with `initial_trust=0.3` and `0.2` (the preset has
           0.5). Does low trust at the start slow growth in the first year? By the end of 2027?
           Use five seeds, as in Step 7, before you conclude. If the effect is smaller than you
           expected, what in the model could make up for low trust at the start? (Hint: what do
           dialogue events and successful projects do to trust?)
        2. **Diverging visions.** Set `vision_spread=0.5`. Watch goal consensus and membership.
           Then also switch to `facilitation="mission_focused"`. Does mission work repair the
           damage? Fully or partly?
        3. **Another region.** Run `region="voru"` (a small rural county) and
           `region="kurzeme"` (differing visions). Read the top of each preset with
           `presets.load("region", ...)`: which numbers differ from Västerbotten, and how do the
           pictures differ?
        4. **The seed.** Run the Västerbotten scenario with seeds 1 to 10 and note the members at
           the end of 2025. How often is the number inside the report's 15–20? What does that
           tell you about judging the model by one run?
        5. **Discuss.** In the model "member" is a yes/no decision. What does being a member of a
           real cluster mean? What does the model leave out that you think matters?

        Use the cell below as a starting point.
        """,
    ),
    (
        "code",
        """
        # Your turn: change one number, run, and compare with `ts` from above.
        ts_mine = CSEIModel(params, rng=1, steps=36, initial_trust=0.3).run().timeseries()
        fig = plots.membership_figure(ts_mine, title="My scenario: initial_trust = 0.3")
        print("members, end of 2027:", ts["members"].iloc[-1], "->", ts_mine["members"].iloc[-1])
        """,
    ),
]

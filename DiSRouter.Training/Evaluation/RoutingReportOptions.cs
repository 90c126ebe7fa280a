namespace DiSRouter.Training.Evaluation;

internal sealed record RoutingReportOptions
{
    public required string PoolDirectory { get; init; }
    public required string ModelsDirectory { get; init; }
    public required string CacheDirectory { get; init; }
    public IReadOnlyList<string>? Agents { get; init; }
    public int ItemsPerFamily { get; init; } = 200;
    public int OodPerFamily { get; init; } = 60;
    public int FreshPerFamily { get; init; } = 60;
    public int FreshSeed { get; init; } = 1;

    /// <summary>The α sweep every method is run over (AIQ, APGR and CPT are read off it); holds the named 0.2 / 0.5 / 0.8.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = DefaultAlphas;

    /// <summary>
    /// Eight points: the self-aware agents need a prompt pass per query and agent at every α of the sweep (the prompt
    /// states α), so the grid is as coarse as reads well; every method is swept over the same grid.
    /// </summary>
    public static readonly double[] DefaultAlphas = [0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 1];

    /// <summary>Also measure the SFT checkpoints at the named α on test (15 more model passes over the test set).</summary>
    public bool Sft { get; init; }

    /// <summary>
    /// The α at which the last agent's served checkpoint is measured, its answer then standing for every α (it always
    /// answers, so its decision is never read); null measures it at every α like the others.
    /// </summary>
    public double? LastAgentAlpha { get; init; } = 0.5;

    /// <summary>Also measure the served checkpoints' decisions on validation: the recalibration spread needs them.</summary>
    public bool ValidationDecisions { get; init; }

    /// <summary>
    /// Grade every method on the served checkpoints' own answers (under the <see cref="RoutingReport.BidAlpha"/> prompt)
    /// instead of the base models': the central routers, best-fixed and the Oracle are fitted and graded on them too. WHY:
    /// where training changed what an agent answers right, the routers must route among the same agents, or the comparison
    /// credits the routing with the agents' new capability.
    /// </summary>
    public bool ServedAnswers { get; init; }

    /// <summary>
    /// Also fit a probe of each served checkpoint's hidden state at the decision position on its own graded answers to
    /// training-split queries (<see cref="SelfAwareness.SelfKnowledgeProbe"/>) and report it as ablation rows; measures the
    /// decision states on every set and the validation decisions (the probe's cuts are chosen there).
    /// </summary>
    public bool Probe { get; init; }

    /// <summary>
    /// Training-split queries per in-domain family the probes are fitted on; null: <see cref="ItemsPerFamily"/>. The
    /// split is procedurally unlimited, and an agent labels its own answers, so how far more rows help is measured here.
    /// </summary>
    public int? ProbeTrainPerFamily { get; init; }

    /// <summary>
    /// Models folders of other training seeds of the self-awareness pipeline (nano-selfaware/&lt;agent&gt; with decision.json,
    /// like --models-dir): their served cascade and decision-rule rows on test, beside the main models', in the seed table.
    /// </summary>
    public IReadOnlyList<string> SeedModels { get; init; } = [];

    /// <summary>
    /// A models folder of agents trained in the paper's configuration (scripts/selfaware-paper.sh, laid out by
    /// scripts/seed-models.sh): the row disrouter-paper, their cascade deciding greedily, prompted in their own recorded
    /// wording, on every graded set and subset. Null: no such row.
    /// </summary>
    public string? PaperModels { get; init; }

    /// <summary>
    /// Samples per test query and base model for its p(x) (the share of sampled answers that are right, at
    /// <see cref="CapabilityTemperature"/>: what the agents' own SFT labels were drawn from); 0 skips them. They give the
    /// bound row px-bids: the bids with every agent knowing its p(x) exactly, what self-knowledge trained toward p(x) can reach.
    /// </summary>
    public int CapabilitySamples { get; init; }

    /// <summary>The temperature of those samples: the nano pipeline's sampling temperature (scripts/selfaware.sh).</summary>
    public const double CapabilityTemperature = 0.5;

    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Most epochs the transformer router trains (the count used is chosen on held-out validation queries).</summary>
    public int TransformerEpochs { get; init; } = TransformerRouter.MaxEpochs;
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Seed of the bootstrap, the cross-validation folds and the routers' initialisation.</summary>
    public int Seed { get; init; }

    public static readonly double[] Named = [0.2, 0.5, 0.8];

    public string? Validate()
    {
        if (ItemsPerFamily < 2) return "--items-per-family must be at least 2.";
        if (ProbeTrainPerFamily is < 10) return "--probe-train-per-family must be at least 10 (the probe's cross-validation needs rows in every fold).";
        if (OodPerFamily < 1 || FreshPerFamily < 1) return "--ood-per-family and --fresh-per-family must be at least 1.";
        if (CapabilitySamples is < 0 or > 256) return "--capability-samples must be between 0 (none) and 256.";
        if (BootstrapResamples < 100) return "--bootstrap needs at least 100 resamples.";
        if (TransformerEpochs < 1) return "--transformer-epochs must be at least 1.";
        if (ServedAnswers && !ValidationDecisions) return "--served-answers needs --validation-decisions: the routers are fitted on the served answers to the validation queries.";
        if (Named.Any(a => !Alphas.Any(x => Math.Abs(x - a) < 1e-9))) return "--alphas must hold 0.2, 0.5 and 0.8 (the named scenarios).";
        return null;
    }
}
